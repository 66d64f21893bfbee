/*
 * time.h - timestamps: parsing wire formats, printing German dates.
 *
 * meldung keeps every instant as int64_t seconds since the Unix epoch, UTC
 * (mld_time_t). Pages print them in Europe/Berlin civil time, computed here
 * from the EU summer-time rule (last Sunday of March 01:00 UTC to last Sunday
 * of October 01:00 UTC, in force since 1996; Germany's earlier rules back to
 * 1980 are applied too), so no process-wide TZ setting or tz database is
 * involved and threads may call these freely.
 *
 * Civil time is split and printed for years 0000 to 9999: instants outside
 * are clamped to the first or last second of that range, so every fixed-width
 * format below keeps its width.
 */
#ifndef MLD_TIME_H
#define MLD_TIME_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t mld_time_t;

/* Parses an ISO 8601 / RFC 3339 timestamp: "2025-01-28T09:18:34+01:00",
 * "...Z", fractional seconds (dropped), offsets "+01", "+0100" or "+01:00",
 * a space instead of the T, seconds left out ("2025-01-28T09:18Z"), the
 * compact "20190617T091758+0200", and a date alone ("2025-01-28", midnight
 * UTC). A missing offset means UTC. Whitespace around the timestamp is
 * ignored. Fields are range-checked (day within its month, leap years, a
 * leap second 60 allowed). Reads only s[0..len).
 * Returns 0 and stores the instant in *out, or MLD_E_PARSE (*out untouched). */
int mld_time_parse_iso(const char *s, size_t len, mld_time_t *out);

/* Offset of Europe/Berlin from UTC at instant t, in seconds (3600 or 7200).
 * Exact from 1950 on; earlier years get 3600. */
int mld_time_berlin_offset(mld_time_t t);

/* Broken-down civil time. */
struct mld_tm {
    int year, mon, day; /* mon 1-12, day 1-31 */
    int hour, min, sec; /* 0-23, 0-59, 0-59 */
    int wday;           /* 0 = Sunday */
};

/* Splits t, shifted by offset seconds, into civil time (proleptic
 * Gregorian calendar; clamped to years 0000-9999). */
void mld_time_civil(mld_time_t t, int offset, struct mld_tm *tm);

/* Seconds since the epoch of the given UTC civil time. Any field may be out
 * of range (day 32, month 13, second -1): the excess carries over, as with
 * timegm. Computed in 64 bits, so no int argument can overflow it. */
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

/* Parses an HTTP date: IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", and the
 * obsolete RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT" (two-digit years 70-99
 * are 19xx, 00-69 20xx) and asctime "Sun Nov  6 08:49:37 1994" forms. Names
 * match regardless of case; nothing may surround the date.
 * Returns 0 and *out, or MLD_E_PARSE (*out untouched). */
int mld_time_parse_http(const char *s, size_t len, mld_time_t *out);

/* The current time (CLOCK_REALTIME, whole seconds). */
mld_time_t mld_time_now(void);

/* Seconds on the monotonic clock (CLOCK_MONOTONIC), with the fraction:
 * for measuring durations (log lines, benchmarks), never an instant. */
double mld_time_mono_s(void);

#endif
