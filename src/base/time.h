/*
 * time.h - timestamps: parsing wire formats, printing German dates.
 *
 * meldung keeps every instant as int64_t seconds since the Unix epoch, UTC
 * (mld_time_t). Pages print them in Europe/Berlin civil time, computed here
 * from the EU summer-time rule (last Sunday of March 01:00 UTC to last Sunday
 * of October 01:00 UTC, in force since 1996), so no process-wide TZ setting
 * or tz database is involved and threads may call these freely.
 */
#ifndef MLD_TIME_H
#define MLD_TIME_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t mld_time_t;

/* Parses an ISO 8601 / RFC 3339 timestamp: "2025-01-28T09:18:34+01:00",
 * "...Z", fractional seconds, offsets "+01", "+0100" or "+01:00", and the
 * compact "20190617T091758+0200". A missing offset means UTC.
 * Returns 0 and stores the instant in *out, or MLD_E_PARSE. */
int mld_time_parse_iso(const char *s, size_t len, mld_time_t *out);

/* Offset of Europe/Berlin from UTC at instant t, in seconds (3600 or 7200). */
int mld_time_berlin_offset(mld_time_t t);

/* Broken-down civil time. */
struct mld_tm {
    int year, mon, day;   /* mon 1-12, day 1-31 */
    int hour, min, sec;   /* 0-23, 0-59, 0-59 */
    int wday;             /* 0 = Sunday */
};

/* Splits t, shifted by offset seconds, into civil time. */
void mld_time_civil(mld_time_t t, int offset, struct mld_tm *tm);

/* Seconds since the epoch of the given UTC civil time (days may overflow
 * the month; they are normalised). */
mld_time_t mld_time_from_civil(int year, int mon, int day, int hour, int min, int sec);

/* Writes Europe/Berlin time as on the article page, "20.10.2025 - 17:28:13"
 * (exactly 21 bytes plus NUL; out must hold MLD_TIME_LONG_LEN + 1). */
#define MLD_TIME_LONG_LEN 21
void mld_time_format_long(mld_time_t t, char *out);

/* Writes Europe/Berlin time as in lists, "01.02.2026 - 03:58"
 * (18 bytes plus NUL). */
#define MLD_TIME_SHORT_LEN 18
void mld_time_format_short(mld_time_t t, char *out);

/* Writes RFC 3339 UTC, "2025-10-20T15:28:13Z" (20 bytes plus NUL). */
#define MLD_TIME_ISO_LEN 20
void mld_time_format_iso(mld_time_t t, char *out);

/* Writes the HTTP date, "Mon, 20 Oct 2025 15:28:13 GMT" (29 bytes plus NUL). */
#define MLD_TIME_HTTP_LEN 29
void mld_time_format_http(mld_time_t t, char *out);

/* Parses an HTTP date (IMF-fixdate; RFC 850 and asctime forms too).
 * Returns 0 and *out, or MLD_E_PARSE. */
int mld_time_parse_http(const char *s, size_t len, mld_time_t *out);

/* The current time. */
mld_time_t mld_time_now(void);

#endif
