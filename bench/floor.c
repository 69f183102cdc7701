/* The floor for consuming: a minimal C consumer on hiredis, no JSON, no checks.
 * XREADGROUP COUNT 500 from a stream, write every entry's "event" value to standard output
 * (one line each, through stdio's buffer), XACK the batch; until a read returns nothing.
 *   cc -O2 -o floor bench/floor.c $(pkg-config --cflags --libs hiredis)
 *   floor HOST PORT STREAM GROUP EXPECTED
 */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc != 6) { fprintf(stderr, "usage: floor HOST PORT STREAM GROUP EXPECTED\n"); return 64; }
  redisContext *c = redisConnect(argv[1], atoi(argv[2]));
  if (!c || c->err) { fprintf(stderr, "floor: cannot connect\n"); return 69; }
  const char *stream = argv[3], *group = argv[4];
  long expected = atol(argv[5]), n = 0;
  redisReply *r = redisCommand(c, "XGROUP CREATE %s %s 0 MKSTREAM", stream, group);
  freeReplyObject(r);
  const char *ackv[2 + 500 + 1];
  size_t ackl[2 + 500 + 1];
  for (;;) {
    r = redisCommand(c, "XREADGROUP GROUP %s floor COUNT 500 STREAMS %s >", group, stream);
    if (!r) { fprintf(stderr, "floor: read failed\n"); return 69; }
    if (r->type != REDIS_REPLY_ARRAY || r->elements == 0) { freeReplyObject(r); break; }
    redisReply *entries = r->element[0]->element[1];
    ackv[0] = "XACK"; ackl[0] = 4;
    ackv[1] = stream; ackl[1] = strlen(stream);
    ackv[2] = group; ackl[2] = strlen(group);
    for (size_t i = 0; i < entries->elements; i++) {
      redisReply *e = entries->element[i];
      redisReply *fields = e->element[1];
      for (size_t f = 0; f + 1 < fields->elements; f += 2) {
        if (fields->element[f]->len == 5 && memcmp(fields->element[f]->str, "event", 5) == 0) {
          fwrite(fields->element[f + 1]->str, 1, fields->element[f + 1]->len, stdout);
          fputc('\n', stdout);
        }
      }
      ackv[3 + i] = e->element[0]->str;
      ackl[3 + i] = e->element[0]->len;
    }
    fflush(stdout);
    redisReply *a = redisCommandArgv(c, (int)(3 + entries->elements), ackv, ackl);
    n += (long)entries->elements;
    freeReplyObject(a);
    freeReplyObject(r);
  }
  redisFree(c);
  if (n != expected) { fprintf(stderr, "floor: consumed %ld, not %ld\n", n, expected); return 1; }
  return 0;
}
