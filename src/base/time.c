/*
 * time.c - timestamps: civil-time arithmetic, wire-format parsing and the
 * German date formats of the pages (see time.h).
 *
 * Civil dates are converted with the days-from-civil algorithm (as
 * described by Howard Hinnant, "chrono-Compatible Low-Level Date
 * Algorithms") on the proleptic Gregorian calendar: shift the year to start on 1 March so the
 * leap day is the last day of the year, then count whole 400-year eras
 * (146097 days each), years of the era and days of the year. It needs no
 * tables, works for dates before 1970, and never touches libc's time zone
 * state (no timegm, no TZ), so every function here is thread-safe.
 *
 * Europe/Berlin is UTC+1, plus one hour of summer time. Germany's rules
 * (as in the tz database): none from 1950 to 1979; 1980 from the first
 * Sunday of April to the last Sunday of September; 1981-1995 from the last
 * Sunday of March to the last Sunday of September; since 1996 (the EU rule)
 * from the last Sunday of March to the last Sunday of October, all changes
 * at 01:00 UTC. Years before 1950 are treated as having no summer time.
 *
 * Instants are printed and split only within 0000-01-01 and 9999-12-31:
 * times outside are clamped to those ends so every field stays in range and
 * every fixed-width format stays its width.
 */
#include "time.h"

#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "text.h"

/* First and last second printable with a four-digit year. */
#define TIME_MIN INT64_C(-62167219200) /* 0000-01-01T00:00:00Z */
#define TIME_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

#define SECS_PER_DAY 86400

static const char *const wday_abbr[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const wday_full[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                         "Thursday", "Friday", "Saturday"};
static const char *const mon_abbr[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Calendar arithmetic ------------------------------------------------- */

/* Rounds a / b towards minus infinity (b > 0). */
static int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if (a % b != 0 && a < 0)
        q--;
    return q;
}

static bool
is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int64_t y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d (m 1-12, d 1-31) on the proleptic
 * Gregorian calendar; negative before 1970. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                                   /* 0-399 */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0-365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* 0-146096 */
    return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil. */
static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;                                      /* 0-146096 */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0-399 */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* 0-365 */
    int64_t mp = (5 * doy + 2) / 153;                                    /* 0-11, from March */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Day of the week of day z since the epoch (0 = Sunday; 1970-01-01 was a
 * Thursday). */
static int
weekday(int64_t z)
{
    int64_t w = (z + 4) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

mld_time_t
mld_time_from_civil(int year, int mon, int day, int hour, int min, int sec)
{
    /* Months out of 1-12 move the year; days, hours, minutes and seconds
     * out of range simply add up, which normalises them. */
    int64_t m0 = (int64_t)mon - 1;
    int64_t y = (int64_t)year + floor_div(m0, 12);
    int m = (int)(m0 - floor_div(m0, 12) * 12) + 1;
    int64_t days = days_from_civil(y, m, 1) + ((int64_t)day - 1);
    return days * SECS_PER_DAY + (int64_t)hour * 3600 + (int64_t)min * 60 + sec;
}

static mld_time_t
clamp(mld_time_t t)
{
    return t < TIME_MIN ? TIME_MIN : t > TIME_MAX ? TIME_MAX : t;
}

void
mld_time_civil(mld_time_t t, int offset, struct mld_tm *tm)
{
    /* Clamping first keeps t + offset from overflowing. */
    t = clamp(clamp(t) + offset);
    int64_t days = floor_div(t, SECS_PER_DAY);
    int64_t secs = t - days * SECS_PER_DAY;
    int64_t y;
    civil_from_days(days, &y, &tm->mon, &tm->day);
    tm->year = (int)y;
    tm->hour = (int)(secs / 3600);
    tm->min = (int)(secs / 60 % 60);
    tm->sec = (int)(secs % 60);
    tm->wday = weekday(days);
}

/* Europe/Berlin ------------------------------------------------------- */

/* The last Sunday of month m of year y, in days since the epoch. */
static int64_t
last_sunday(int64_t y, int m)
{
    int64_t z = days_from_civil(y, m, days_in_month(y, m));
    return z - weekday(z);
}

int
mld_time_berlin_offset(mld_time_t t)
{
    t = clamp(t);
    int64_t y;
    int m, d;
    civil_from_days(floor_div(t, SECS_PER_DAY), &y, &m, &d);
    if (y < 1980)
        return 3600;

    int64_t start, end; /* days of the changes, each at 01:00 UTC */
    if (y == 1980) {
        int64_t apr1 = days_from_civil(y, 4, 1);
        start = apr1 + (7 - weekday(apr1)) % 7;
    } else {
        start = last_sunday(y, 3);
    }
    end = last_sunday(y, y < 1996 ? 9 : 10);
    mld_time_t from = start * SECS_PER_DAY + 3600;
    mld_time_t until = end * SECS_PER_DAY + 3600;
    return t >= from && t < until ? 7200 : 3600;
}

/* Formatting ---------------------------------------------------------- */

/* Writes v (0 <= v < 10^width) as width decimal digits; returns the end. */
static char *
put_num(char *p, int v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

static char *
put_str(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

/* Writes "DD.MM.YYYY - HH:MM" in Berlin time; returns the end. */
static char *
put_german(char *p, const struct mld_tm *tm)
{
    p = put_num(p, tm->day, 2);
    *p++ = '.';
    p = put_num(p, tm->mon, 2);
    *p++ = '.';
    p = put_num(p, tm->year, 4);
    p = put_str(p, " - ");
    p = put_num(p, tm->hour, 2);
    *p++ = ':';
    return put_num(p, tm->min, 2);
}

void
mld_time_format_long(mld_time_t t, char *out)
{
    struct mld_tm tm;
    mld_time_civil(t, mld_time_berlin_offset(t), &tm);
    char *p = put_german(out, &tm);
    *p++ = ':';
    p = put_num(p, tm.sec, 2);
    *p = '\0';
}

void
mld_time_format_short(mld_time_t t, char *out)
{
    struct mld_tm tm;
    mld_time_civil(t, mld_time_berlin_offset(t), &tm);
    char *p = put_german(out, &tm);
    *p = '\0';
}

void
mld_time_format_iso(mld_time_t t, char *out)
{
    struct mld_tm tm;
    mld_time_civil(t, 0, &tm);
    char *p = put_num(out, tm.year, 4);
    *p++ = '-';
    p = put_num(p, tm.mon, 2);
    *p++ = '-';
    p = put_num(p, tm.day, 2);
    *p++ = 'T';
    p = put_num(p, tm.hour, 2);
    *p++ = ':';
    p = put_num(p, tm.min, 2);
    *p++ = ':';
    p = put_num(p, tm.sec, 2);
    *p++ = 'Z';
    *p = '\0';
}

void
mld_time_format_http(mld_time_t t, char *out)
{
    struct mld_tm tm;
    mld_time_civil(t, 0, &tm);
    char *p = put_str(out, wday_abbr[tm.wday]);
    p = put_str(p, ", ");
    p = put_num(p, tm.day, 2);
    *p++ = ' ';
    p = put_str(p, mon_abbr[tm.mon - 1]);
    *p++ = ' ';
    p = put_num(p, tm.year, 4);
    *p++ = ' ';
    p = put_num(p, tm.hour, 2);
    *p++ = ':';
    p = put_num(p, tm.min, 2);
    *p++ = ':';
    p = put_num(p, tm.sec, 2);
    p = put_str(p, " GMT");
    *p = '\0';
}

/* Parsing ------------------------------------------------------------- */

/* A cursor over [p, end). Every step checks end before reading and moves
 * p only on success, so steps chain with && and a failed optional step
 * leaves the cursor where it was. */
struct cur {
    const char *p;
    const char *end;
};

/* Reads exactly n digits (n <= 9) into *v. */
static bool
take_num(struct cur *c, int n, int *v)
{
    if (c->end - c->p < n)
        return false;
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (!mld_ascii_digit(c->p[i]))
            return false;
        x = x * 10 + (c->p[i] - '0');
    }
    c->p += n;
    *v = x;
    return true;
}

/* Reads the character ch. */
static bool
take_char(struct cur *c, char ch)
{
    if (c->p == c->end || *c->p != ch)
        return false;
    c->p++;
    return true;
}

/* Reads the word w, ignoring ASCII case. */
static bool
take_word(struct cur *c, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (mld_ascii_lower(c->p[i]) != mld_ascii_lower(w[i]))
            return false;
    c->p += n;
    return true;
}

/* Reads one of the n names in names[]; *idx gets its index. */
static bool
take_name(struct cur *c, const char *const *names, int n, int *idx)
{
    for (int i = 0; i < n; i++) {
        if (take_word(c, names[i])) {
            *idx = i;
            return true;
        }
    }
    return false;
}

static bool
at_end(const struct cur *c)
{
    return c->p == c->end;
}

/* True when the fields name a real moment (a leap second allowed). */
static bool
valid_civil(int y, int mon, int d, int h, int mi, int s)
{
    return mon >= 1 && mon <= 12 && d >= 1 && d <= days_in_month(y, mon) && h >= 0 && h <= 23 &&
           mi >= 0 && mi <= 59 && s >= 0 && s <= 60;
}

/* Reads a UTC offset, "Z" or [+-]HH[[:]MM], into *secs (east positive). */
static bool
take_offset(struct cur *c, int *secs)
{
    if (take_char(c, 'Z') || take_char(c, 'z')) {
        *secs = 0;
        return true;
    }
    struct cur k = *c;
    int sign;
    if (take_char(&k, '+'))
        sign = 1;
    else if (take_char(&k, '-'))
        sign = -1;
    else
        return false;
    int h, m = 0;
    if (!take_num(&k, 2, &h))
        return false;
    struct cur colon = k;
    if (take_char(&colon, ':')) {
        if (!take_num(&colon, 2, &m))
            return false;
        k = colon;
    } else {
        take_num(&k, 2, &m);
    }
    if (h > 23 || m > 59)
        return false;
    *secs = sign * (h * 3600 + m * 60);
    *c = k;
    return true;
}

int
mld_time_parse_iso(const char *s, size_t len, mld_time_t *out)
{
    if (s == NULL)
        return MLD_E_PARSE;
    struct cur c = {s, s + len};
    /* Wire formats wrap values in whitespace (XML text, padded JSON). */
    while (c.p < c.end && mld_ascii_space(*c.p))
        c.p++;
    while (c.end > c.p && mld_ascii_space(c.end[-1]))
        c.end--;

    int y, mon, d, h = 0, mi = 0, sec = 0, off = 0;
    if (!take_num(&c, 4, &y))
        return MLD_E_PARSE;
    /* The extended form separates fields ("2025-01-28T09:18:34"), the
     * basic form does not ("20250128T091834"); a timestamp uses one. */
    bool extended = take_char(&c, '-');
    if (!take_num(&c, 2, &mon))
        return MLD_E_PARSE;
    if (extended && !take_char(&c, '-'))
        return MLD_E_PARSE;
    if (!take_num(&c, 2, &d))
        return MLD_E_PARSE;

    if (!at_end(&c)) {
        if (!take_char(&c, 'T') && !take_char(&c, 't') && !take_char(&c, ' '))
            return MLD_E_PARSE;
        if (!take_num(&c, 2, &h))
            return MLD_E_PARSE;
        if (extended && !take_char(&c, ':'))
            return MLD_E_PARSE;
        if (!take_num(&c, 2, &mi))
            return MLD_E_PARSE;
        /* Seconds are optional ("2025-01-28T09:18+01:00"). */
        struct cur k = c;
        if ((!extended || take_char(&k, ':')) && take_num(&k, 2, &sec)) {
            c = k;
            /* Fractions of a second are dropped: pages show whole seconds. */
            if (take_char(&c, '.') || take_char(&c, ',')) {
                if (c.p == c.end || !mld_ascii_digit(*c.p))
                    return MLD_E_PARSE;
                while (c.p < c.end && mld_ascii_digit(*c.p))
                    c.p++;
            }
        }
        if (!at_end(&c) && !take_offset(&c, &off))
            return MLD_E_PARSE;
        if (!at_end(&c))
            return MLD_E_PARSE;
    }
    if (!valid_civil(y, mon, d, h, mi, sec))
        return MLD_E_PARSE;
    *out = mld_time_from_civil(y, mon, d, h, mi, sec) - off;
    return 0;
}

/* HTTP dates (RFC 9110, section 5.6.7), three forms:
 *   IMF-fixdate  "Sun, 06 Nov 1994 08:49:37 GMT"
 *   RFC 850      "Sunday, 06-Nov-94 08:49:37 GMT"
 *   asctime      "Sun Nov  6 08:49:37 1994"
 * Names are matched without regard to case; the weekday is checked to be
 * a weekday name but not against the date. */

/* Reads "HH:MM:SS". */
static bool
take_hms(struct cur *c, int *h, int *m, int *s)
{
    return take_num(c, 2, h) && take_char(c, ':') && take_num(c, 2, m) && take_char(c, ':') &&
           take_num(c, 2, s);
}

static bool
parse_imf(struct cur c, int *f)
{
    int wd;
    return take_name(&c, wday_abbr, 7, &wd) && take_word(&c, ", ") && take_num(&c, 2, &f[2]) &&
           take_char(&c, ' ') && take_name(&c, mon_abbr, 12, &f[1]) && take_char(&c, ' ') &&
           take_num(&c, 4, &f[0]) && take_char(&c, ' ') && take_hms(&c, &f[3], &f[4], &f[5]) &&
           take_word(&c, " GMT") && at_end(&c);
}

static bool
parse_rfc850(struct cur c, int *f)
{
    int wd;
    int yy;
    if (!(take_name(&c, wday_full, 7, &wd) && take_word(&c, ", ") && take_num(&c, 2, &f[2]) &&
          take_char(&c, '-') && take_name(&c, mon_abbr, 12, &f[1]) && take_char(&c, '-') &&
          take_num(&c, 2, &yy) && take_char(&c, ' ') && take_hms(&c, &f[3], &f[4], &f[5]) &&
          take_word(&c, " GMT") && at_end(&c)))
        return false;
    /* Two-digit years: RFC 9110 wants them read relative to today; a fixed
     * pivot gives the same answers until 2070 and makes parsing repeatable. */
    f[0] = yy < 70 ? 2000 + yy : 1900 + yy;
    return true;
}

static bool
parse_asctime(struct cur c, int *f)
{
    int wd;
    if (!(take_name(&c, wday_abbr, 7, &wd) && take_char(&c, ' ') &&
          take_name(&c, mon_abbr, 12, &f[1]) && take_char(&c, ' ')))
        return false;
    /* The day is padded with a space ("Nov  6"). */
    int tens = 0, units;
    if (!take_char(&c, ' ') && !take_num(&c, 1, &tens))
        return false;
    if (!take_num(&c, 1, &units))
        return false;
    f[2] = tens * 10 + units;
    return take_char(&c, ' ') && take_hms(&c, &f[3], &f[4], &f[5]) && take_char(&c, ' ') &&
           take_num(&c, 4, &f[0]) && at_end(&c);
}

int
mld_time_parse_http(const char *s, size_t len, mld_time_t *out)
{
    if (s == NULL)
        return MLD_E_PARSE;
    struct cur c = {s, s + len};
    int f[6]; /* year, month (0-11 as parsed), day, hour, minute, second */
    if (!parse_imf(c, f) && !parse_rfc850(c, f) && !parse_asctime(c, f))
        return MLD_E_PARSE;
    f[1]++;
    if (!valid_civil(f[0], f[1], f[2], f[3], f[4], f[5]))
        return MLD_E_PARSE;
    *out = mld_time_from_civil(f[0], f[1], f[2], f[3], f[4], f[5]);
    return 0;
}

/* The clock ----------------------------------------------------------- */

mld_time_t
mld_time_now(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return 0;
    return (mld_time_t)ts.tv_sec;
}

/* CLOCK_MONOTONIC as fractional seconds; 0 should the clock fail. */
double
mld_time_mono_s(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
