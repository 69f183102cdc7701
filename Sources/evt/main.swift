import EvtCLI

Evt.main()
