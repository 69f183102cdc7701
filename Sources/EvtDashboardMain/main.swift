import EvtCLI
import EvtDashboard

// evt-dashboard: the evt command line with the dashboard's web server linked in. `evt
// dashboard` execs this program; every other command runs the same as in evt.
Dashboard.serve = { settings, listening in
  try DashboardServer(settings: settings).run(listening: listening)
}
Evt.main()
