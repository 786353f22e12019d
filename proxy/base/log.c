/* log.c — one line per event on stderr, with an ISO-8601 UTC timestamp, or with a syslog
 * priority prefix when stderr is the journal. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* The threshold is process-wide configuration set before and between event-loop turns. */
static enum log_level threshold = LOG_LVL_INFO;

/* Journal format, chosen once at start-up. */
static bool journal;

static const char *const level_names[] = { "error", "warn", "info", "debug" };
/* syslog(3) priorities: LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG. */
static const int level_priorities[] = { 3, 4, 6, 7 };

void log_set_level(enum log_level level) { threshold = level; }

bool log_enabled(enum log_level level) { return level <= threshold; }

int log_priority(enum log_level level) { return level_priorities[level]; }

void log_set_journal(bool on) { journal = on; }

bool log_journal(void) { return journal; }

bool log_fd_is_journal(const char *journal_stream, int fd)
{
    unsigned long long dev, ino;
    struct stat st;
    char end;

    if (!journal_stream || sscanf(journal_stream, "%llu:%llu%c", &dev, &ino, &end) != 2)
        return false;
    if (fstat(fd, &st) != 0)
        return false;
    return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

/* Finish `line` (n characters formatted, maybe truncated) with a newline and write it whole. */
static void line_write(char *line, size_t size, int n)
{
    if (n < 0)
        return;
    if ((size_t)n >= size - 1)
        n = (int)size - 2;
    line[n++] = '\n';
    /* One write per line keeps lines whole when several processes share stderr. */
    fwrite(line, 1, (size_t)n, stderr);
}

void log_text(enum log_level level, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    int n = journal ? snprintf(line, sizeof line, "<%d>", level_priorities[level]) : 0;

    va_start(ap, fmt);
    n += vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    line_write(line, sizeof line, n);
}

int log_level_parse(const char *s, enum log_level *out)
{
    for (size_t i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return EINVAL;
}

void log_write(enum log_level level, const char *module, const char *fmt, ...)
{
    char line[2048];
    struct timespec ts;
    struct tm tm;
    va_list ap;
    int n;

    if (journal) {
        /* journald stamps the time itself; the priority prefix is what `journalctl -p` reads. */
        n = snprintf(line, sizeof line, "<%d>%s module=%s ", level_priorities[level],
                     level_names[level], module);
    } else {
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s module=%s ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, ts.tv_nsec / 1000000, level_names[level], module);
    }
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof line)
        n += vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    line_write(line, sizeof line, n);
}
