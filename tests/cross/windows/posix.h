/* posix.h: the few POSIX functions the runtime's unit tests use that
 * MinGW-w64 lacks, so that tests/cross/windows.test.sh runs them under wine
 * (forced in with -include; posix.c defines them).  Not the runtime's: it
 * needs none of them. */
#include <direct.h>
#include <io.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#define mkdir(path, mode) _mkdir(path)
char *mkdtemp(char *template);
int setenv(const char *name, const char *value, int overwrite);
int unsetenv(const char *name);
int geteuid(void);
