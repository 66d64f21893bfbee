/*
 * tests/unit/base/time.c - civil-time arithmetic, Europe/Berlin summer
 * time, ISO 8601 and HTTP date parsing and the page date formats.
 *
 * Besides fixed cases it runs the golden file tests/golden/dates/cases.tsv
 * (format described at its top), checks the calendar against gmtime_r and
 * the Berlin rule against the system tz database through localtime_r
 * (skipped when /usr/share/zoneinfo/Europe/Berlin is missing).
 */
#include "../../../src/base/time.c"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../../src/base/mem.h"
#include "test.h"

#define GOLDEN_DATES "tests/golden/dates/cases.tsv"

/* Parses s as ISO 8601 from an allocation of exactly strlen(s) bytes, so
 * the sanitizers catch any read past len. */
static int
parse_iso_exact(const char *s, mld_time_t *out)
{
    size_t n = strlen(s);
    char *copy = mld_malloc(n);
    memcpy(copy, s, n);
    int rc = mld_time_parse_iso(copy, n, out);
    mld_free(copy);
    return rc;
}

static int
parse_http_exact(const char *s, mld_time_t *out)
{
    size_t n = strlen(s);
    char *copy = mld_malloc(n);
    memcpy(copy, s, n);
    int rc = mld_time_parse_http(copy, n, out);
    mld_free(copy);
    return rc;
}

static const char *
iso(mld_time_t t)
{
    static char buf[MLD_TIME_ISO_LEN + 1];
    mld_time_format_iso(t, buf);
    return buf;
}

static const char *
long_de(mld_time_t t)
{
    static char buf[MLD_TIME_LONG_LEN + 1];
    mld_time_format_long(t, buf);
    return buf;
}

static const char *
short_de(mld_time_t t)
{
    static char buf[MLD_TIME_SHORT_LEN + 1];
    mld_time_format_short(t, buf);
    return buf;
}

static void
test_from_civil(void)
{
    is_int(mld_time_from_civil(1970, 1, 1, 0, 0, 0), 0, "from_civil: epoch");
    is_int(mld_time_from_civil(1969, 12, 31, 23, 59, 59), -1, "from_civil: one second before");
    is_int(mld_time_from_civil(2025, 10, 20, 15, 28, 13), 1760974093, "from_civil: 2025-10-20");
    is_int(mld_time_from_civil(2000, 3, 1, 0, 0, 0), 951868800, "from_civil: 2000-03-01");
    is_int(mld_time_from_civil(1900, 1, 1, 0, 0, 0), INT64_C(-2208988800),
           "from_civil: 1900-01-01");
    is_int(mld_time_from_civil(2100, 3, 1, 0, 0, 0), INT64_C(4107542400),
           "from_civil: 2100-03-01 (2100 is no leap year)");
    is_int(mld_time_from_civil(2038, 1, 19, 3, 14, 8), INT64_C(2147483648),
           "from_civil: past 32-bit time_t");
    is_int(mld_time_from_civil(0, 1, 1, 0, 0, 0), TIME_MIN, "from_civil: year 0");
    is_int(mld_time_from_civil(9999, 12, 31, 23, 59, 59), TIME_MAX, "from_civil: year 9999");

    /* Out-of-range fields are normalised. */
    is_int(mld_time_from_civil(2025, 1, 32, 0, 0, 0), mld_time_from_civil(2025, 2, 1, 0, 0, 0),
           "from_civil: day 32 of January");
    is_int(mld_time_from_civil(2024, 2, 30, 0, 0, 0), mld_time_from_civil(2024, 3, 1, 0, 0, 0),
           "from_civil: 30 February of a leap year");
    is_int(mld_time_from_civil(2025, 13, 1, 0, 0, 0), mld_time_from_civil(2026, 1, 1, 0, 0, 0),
           "from_civil: month 13");
    is_int(mld_time_from_civil(2025, 0, 1, 0, 0, 0), mld_time_from_civil(2024, 12, 1, 0, 0, 0),
           "from_civil: month 0");
    is_int(mld_time_from_civil(2025, -11, 1, 0, 0, 0), mld_time_from_civil(2024, 1, 1, 0, 0, 0),
           "from_civil: month -11");
    is_int(mld_time_from_civil(2025, 3, 0, 0, 0, 0), mld_time_from_civil(2025, 2, 28, 0, 0, 0),
           "from_civil: day 0");
    is_int(mld_time_from_civil(2025, 1, 1, 24, 0, 0), mld_time_from_civil(2025, 1, 2, 0, 0, 0),
           "from_civil: hour 24");
    is_int(mld_time_from_civil(2025, 1, 1, 0, 0, -1), mld_time_from_civil(2024, 12, 31, 23, 59, 59),
           "from_civil: second -1");
    /* Extreme arguments must not overflow (UBSan watches). */
    ok(mld_time_from_civil(INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX) > 0,
       "from_civil: INT_MAX fields do not overflow");
    ok(mld_time_from_civil(INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN) < 0,
       "from_civil: INT_MIN fields do not overflow");
}

/* Compares mld_time_civil(t, 0) and mld_time_from_civil with gmtime_r day
 * by day from 1600 to 2400, plus a spread of seconds. */
static void
test_civil_vs_gmtime(void)
{
    int bad = 0, n = 0;
    mld_time_t from = mld_time_from_civil(1600, 1, 1, 0, 0, 0);
    mld_time_t to = mld_time_from_civil(2400, 1, 1, 0, 0, 0);
    for (mld_time_t t = from; t < to; t += 86400 + 3607) {
        time_t tt = (time_t)t;
        struct tm g;
        struct mld_tm m;
        if (gmtime_r(&tt, &g) == NULL)
            continue;
        mld_time_civil(t, 0, &m);
        n++;
        if (m.year != g.tm_year + 1900 || m.mon != g.tm_mon + 1 || m.day != g.tm_mday ||
            m.hour != g.tm_hour || m.min != g.tm_min || m.sec != g.tm_sec || m.wday != g.tm_wday ||
            mld_time_from_civil(m.year, m.mon, m.day, m.hour, m.min, m.sec) != t) {
            if (bad++ < 5)
                diag("mismatch at %" PRId64 ": %04d-%02d-%02d %02d:%02d:%02d wday %d", t, m.year,
                     m.mon, m.day, m.hour, m.min, m.sec, m.wday);
        }
    }
    ok(n > 200000 && bad == 0, "civil agrees with gmtime_r on %d instants 1600-2400", n);
}

static void
test_civil(void)
{
    struct mld_tm tm;
    mld_time_civil(1760974093, 0, &tm);
    ok(tm.year == 2025 && tm.mon == 10 && tm.day == 20 && tm.hour == 15 && tm.min == 28 &&
           tm.sec == 13 && tm.wday == 1,
       "civil: 2025-10-20 15:28:13, a Monday");
    mld_time_civil(1760974093, 7200, &tm);
    ok(tm.hour == 17 && tm.day == 20, "civil: with offset");
    mld_time_civil(-1, 0, &tm);
    ok(tm.year == 1969 && tm.mon == 12 && tm.day == 31 && tm.hour == 23 && tm.min == 59 &&
           tm.sec == 59 && tm.wday == 3,
       "civil: -1 is 1969-12-31 23:59:59, a Wednesday");
    mld_time_civil(0, -3600, &tm);
    ok(tm.year == 1969 && tm.hour == 23, "civil: negative offset across the epoch");

    /* Extremes are clamped to years 0000-9999 and never overflow. */
    mld_time_civil(INT64_MAX, 7200, &tm);
    ok(tm.year == 9999 && tm.mon == 12 && tm.day == 31 && tm.hour == 23 && tm.sec == 59,
       "civil: INT64_MAX clamps to 9999-12-31T23:59:59");
    mld_time_civil(INT64_MIN, -7200, &tm);
    ok(tm.year == 0 && tm.mon == 1 && tm.day == 1 && tm.hour == 0, "civil: INT64_MIN clamps");
    is_str(iso(INT64_MAX), "9999-12-31T23:59:59Z", "iso: INT64_MAX");
    is_str(iso(INT64_MIN), "0000-01-01T00:00:00Z", "iso: INT64_MIN");
    is_str(long_de(INT64_MAX), "31.12.9999 - 23:59:59", "long: INT64_MAX");
    is_int(strlen(long_de(INT64_MIN)), MLD_TIME_LONG_LEN, "long: INT64_MIN keeps its width");
    is_int(mld_time_berlin_offset(INT64_MIN), 3600, "berlin offset: INT64_MIN");
    ok(mld_time_berlin_offset(INT64_MAX) == 3600, "berlin offset: INT64_MAX");
}

static void
test_berlin(void)
{
    struct {
        const char *utc;
        const char *berlin;
        int offset;
    } cases[] = {
        /* The EU changes of 2025, one second either side. */
        {"2025-03-30T00:59:59Z", "30.03.2025 - 01:59:59", 3600},
        {"2025-03-30T01:00:00Z", "30.03.2025 - 03:00:00", 7200},
        {"2025-10-26T00:59:59Z", "26.10.2025 - 02:59:59", 7200},
        {"2025-10-26T01:00:00Z", "26.10.2025 - 02:00:00", 3600},
        /* The reference page. */
        {"2025-10-20T15:28:13Z", "20.10.2025 - 17:28:13", 7200},
        {"2026-02-01T02:58:00Z", "01.02.2026 - 03:58:00", 3600},
        {"2026-01-30T12:51:00Z", "30.01.2026 - 13:51:00", 3600},
        /* Before 1996 summer time ended in September. */
        {"1995-09-24T00:59:59Z", "24.09.1995 - 02:59:59", 7200},
        {"1995-09-24T01:00:00Z", "24.09.1995 - 02:00:00", 3600},
        {"1995-10-20T12:00:00Z", "20.10.1995 - 13:00:00", 3600},
        /* 1980 began on the first Sunday of April. */
        {"1980-04-06T00:59:59Z", "06.04.1980 - 01:59:59", 3600},
        {"1980-04-06T01:00:00Z", "06.04.1980 - 03:00:00", 7200},
        {"1980-03-30T12:00:00Z", "30.03.1980 - 13:00:00", 3600},
        /* No summer time from 1950 to 1979. */
        {"1979-07-01T12:00:00Z", "01.07.1979 - 13:00:00", 3600},
        /* Far ahead the rule keeps going. */
        {"2100-03-28T00:59:59Z", "28.03.2100 - 01:59:59", 3600},
        {"2100-03-28T01:00:00Z", "28.03.2100 - 03:00:00", 7200},
        {"2100-10-31T01:00:00Z", "31.10.2100 - 02:00:00", 3600},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mld_time_t t = 0;
        int rc = mld_time_parse_iso(cases[i].utc, strlen(cases[i].utc), &t);
        is_int(rc, 0, "parse %s", cases[i].utc);
        is_int(mld_time_berlin_offset(t), cases[i].offset, "berlin offset at %s", cases[i].utc);
        is_str(long_de(t), cases[i].berlin, "long at %s", cases[i].utc);
    }
    is_str(short_de(mld_time_from_civil(2026, 2, 1, 2, 58, 0)), "01.02.2026 - 03:58",
           "short: reference page list entry");
    is_str(short_de(mld_time_from_civil(2026, 1, 30, 12, 51, 0)), "30.01.2026 - 13:51",
           "short: reference page list entry 2");
    is_int(strlen(long_de(0)), MLD_TIME_LONG_LEN, "long: width");
    is_int(strlen(short_de(0)), MLD_TIME_SHORT_LEN, "short: width");
}

/* Checks mld_time_berlin_offset and mld_time_civil against the system tz
 * database: every summer-time change 1990-2040 (one second either side)
 * and a few thousand instants spread over those years. */
static void
test_berlin_vs_tzdata(void)
{
    struct stat st;
    if (stat("/usr/share/zoneinfo/Europe/Berlin", &st) != 0) {
        diag("skip: /usr/share/zoneinfo/Europe/Berlin missing, no cross-check against tzdata");
        return;
    }
    if (setenv("TZ", "Europe/Berlin", 1) != 0) {
        ok(0, "setenv TZ");
        return;
    }
    tzset();

    int n = 0, bad = 0;
    mld_time_t from = mld_time_from_civil(1990, 1, 1, 0, 0, 0);
    mld_time_t to = mld_time_from_civil(2041, 1, 1, 0, 0, 0);
    uint64_t rnd = 0x9E3779B97F4A7C15u;
    for (int i = 0; i < 6000; i++) {
        mld_time_t t;
        if (i < 4000) {
            /* Spread evenly, with a pseudo-random jitter of up to a day. */
            rnd ^= rnd << 13;
            rnd ^= rnd >> 7;
            rnd ^= rnd << 17;
            t = from + (to - from) / 4000 * i + (mld_time_t)(rnd % 86400);
        } else {
            /* Around each change: -1 s, 0, +1 s, on both changes a year. */
            int k = i - 4000, year = 1990 + k / 6 % 51, which = k % 6;
            mld_time_t start = last_sunday(year, 3) * 86400 + 3600;
            mld_time_t end = last_sunday(year, year < 1996 ? 9 : 10) * 86400 + 3600;
            t = (which < 3 ? start : end) + which % 3 - 1;
            if (k >= 51 * 6)
                t += (k / (51 * 6)) * 1800; /* and half-hour steps after */
        }
        time_t tt = (time_t)t;
        struct tm l;
        struct mld_tm m;
        if (localtime_r(&tt, &l) == NULL)
            continue;
        int off = mld_time_berlin_offset(t);
        mld_time_civil(t, off, &m);
        n++;
        if (off != l.tm_gmtoff || m.year != l.tm_year + 1900 || m.mon != l.tm_mon + 1 ||
            m.day != l.tm_mday || m.hour != l.tm_hour || m.min != l.tm_min || m.sec != l.tm_sec ||
            m.wday != l.tm_wday) {
            if (bad++ < 5)
                diag("mismatch at %s: offset %d vs tzdata %ld", iso(t), off, (long)l.tm_gmtoff);
        }
    }
    ok(n == 6000 && bad == 0, "Berlin time agrees with tzdata on %d instants 1990-2040", n);
    unsetenv("TZ");
    tzset();
}

static void
test_parse_iso(void)
{
    struct {
        const char *in;
        const char *want; /* ISO UTC */
    } good[] = {
        {"2025-01-28T09:18:34+01:00", "2025-01-28T08:18:34Z"},
        {"2025-01-28T09:18:34Z", "2025-01-28T09:18:34Z"},
        {"2025-01-28T09:18:34.999999999Z", "2025-01-28T09:18:34Z"},
        {"2025-01-28T09:18:34+01", "2025-01-28T08:18:34Z"},
        {"2025-01-28T09:18:34+0100", "2025-01-28T08:18:34Z"},
        {"2025-01-28T09:18:34-05:00", "2025-01-28T14:18:34Z"},
        {"2025-01-28T09:18:34", "2025-01-28T09:18:34Z"},
        {"2025-01-28 09:18:34", "2025-01-28T09:18:34Z"},
        {"20190617T091758+0200", "2019-06-17T07:17:58Z"},
        {"2025-01-28", "2025-01-28T00:00:00Z"},
        {"2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"},
        {"1960-05-01T00:00:00Z", "1960-05-01T00:00:00Z"},
        {"2016-12-31T23:59:60Z", "2017-01-01T00:00:00Z"},
        {"0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z"},
        {"9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        mld_time_t t = 0;
        int rc = parse_iso_exact(good[i].in, &t);
        is_int(rc, 0, "parse_iso accepts %s", good[i].in);
        is_str(iso(t), good[i].want, "parse_iso %s", good[i].in);
    }

    const char *bad[] = {
        "",
        "2023-02-29",
        "1900-02-29",
        "2025-06-31T00:00:00Z",
        "2025-01-28T23:59:61Z",
        "2025-01-28T-1:00:00Z",
        "+025-01-28",
        "2025-01-28T09:18:34+01:00 trailing",
        "2025-01-28T09:18:34.",
        "2025-01-28T09:18:34.Z",
        "2025-01-28T09:18:34+",
        "2025-01-28T",
        "2025-01-28T ",
        "T09:18:34",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        mld_time_t t = 42;
        int rc = parse_iso_exact(bad[i], &t);
        ok(rc == MLD_E_PARSE && t == 42, "parse_iso rejects \"%s\" and leaves *out", bad[i]);
    }
    mld_time_t t = 0;
    is_int(mld_time_parse_iso(NULL, 0, &t), MLD_E_PARSE, "parse_iso: NULL");
    /* Surrounding whitespace (XML text, padded JSON) is ignored. */
    is_int(parse_iso_exact(" \t2025-01-28T09:18:34Z \r\n", &t), 0, "parse_iso: blanks around");
    is_str(iso(t), "2025-01-28T09:18:34Z", "parse_iso: blanks around, value");

    /* Every prefix of a full timestamp, each in an exact-size allocation:
     * no read past len, and only the complete forms are accepted. */
    const char *full = "2025-01-28T09:18:34.250+01:00";
    int accepted = 0, bad_prefix = 0;
    for (size_t n = 0; n <= strlen(full); n++) {
        char *copy = mld_malloc(n ? n : 1);
        memcpy(copy, full, n);
        int rc = mld_time_parse_iso(copy, n, &t);
        mld_free(copy);
        if (rc == 0)
            accepted++;
        /* Accepted lengths: date; hh:mm; hh:mm:ss; .2 .25 .250; +01; +01:00 */
        bool want =
            n == 10 || n == 16 || n == 19 || n == 21 || n == 22 || n == 23 || n == 26 || n == 29;
        if ((rc == 0) != want) {
            bad_prefix++;
            diag("prefix of length %zu: rc %d", n, rc);
        }
    }
    ok(bad_prefix == 0 && accepted == 8, "parse_iso on every prefix (%d accepted)", accepted);
}

static void
test_http(void)
{
    char buf[MLD_TIME_HTTP_LEN + 1];
    mld_time_format_http(1760974093, buf);
    is_str(buf, "Mon, 20 Oct 2025 15:28:13 GMT", "format_http");
    mld_time_format_http(784111777, buf);
    is_str(buf, "Sun, 06 Nov 1994 08:49:37 GMT", "format_http: RFC example");
    mld_time_format_http(0, buf);
    is_str(buf, "Thu, 01 Jan 1970 00:00:00 GMT", "format_http: epoch");
    mld_time_format_http(-86400, buf);
    is_str(buf, "Wed, 31 Dec 1969 00:00:00 GMT", "format_http: before the epoch");
    is_int(strlen(buf), MLD_TIME_HTTP_LEN, "format_http: width");

    struct {
        const char *in;
        mld_time_t want;
    } good[] = {
        {"Sun, 06 Nov 1994 08:49:37 GMT", 784111777},
        {"Sunday, 06-Nov-94 08:49:37 GMT", 784111777},
        {"Sun Nov  6 08:49:37 1994", 784111777},
        {"Sun Nov 06 08:49:37 1994", 784111777},
        {"sun, 06 nov 1994 08:49:37 gmt", 784111777},
        {"Mon, 20 Oct 2025 15:28:13 GMT", 1760974093},
        {"Thursday, 01-Jan-70 00:00:00 GMT", 0},
        {"Saturday, 01-Jan-00 00:00:00 GMT", 946684800},
        {"Thu, 29 Feb 2024 23:59:60 GMT", 1709251200},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        mld_time_t t = 0;
        int rc = parse_http_exact(good[i].in, &t);
        is_int(rc, 0, "parse_http accepts %s", good[i].in);
        is_int(t, good[i].want, "parse_http %s", good[i].in);
    }
    const char *bad[] = {
        "",
        "Sun, 06 Nov 1994 08:49:37 GMT ",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 94 08:49:37 GMT",
        "Sun, 30 Feb 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 25:49:37 GMT",
        "Sun, 06 Nov 1994 08:49 GMT",
        "Sunday, 06-Nov-1994 08:49:37 GMT",
        "Sun Nov 6 08:49:37 1994",
        "Sun Nov  6 08:49:37 94",
        "Sun Nov 6  08:49:37 1994",
        "Sun Nov  0 08:49:37 1994",
        "1994-11-06T08:49:37Z",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        mld_time_t t = 42;
        int rc = parse_http_exact(bad[i], &t);
        ok(rc == MLD_E_PARSE && t == 42, "parse_http rejects \"%s\"", bad[i]);
    }
    mld_time_t t = 0;
    is_int(mld_time_parse_http(NULL, 0, &t), MLD_E_PARSE, "parse_http: NULL");

    /* Round trip over a spread of instants. */
    int bad_rt = 0;
    for (mld_time_t u = -2000000000; u < 5000000000; u += 12345679) {
        mld_time_format_http(u, buf);
        if (parse_http_exact(buf, &t) != 0 || t != u)
            bad_rt++;
        char ibuf[MLD_TIME_ISO_LEN + 1];
        mld_time_format_iso(u, ibuf);
        if (parse_iso_exact(ibuf, &t) != 0 || t != u)
            bad_rt++;
    }
    is_int(bad_rt, 0, "format then parse round-trips (HTTP and ISO)");
}

static void
test_now(void)
{
    mld_time_t a = mld_time_now();
    time_t b = time(NULL);
    ok(a > mld_time_from_civil(2024, 1, 1, 0, 0, 0), "now is after 2024");
    ok(a - (mld_time_t)b <= 2 && (mld_time_t)b - a <= 2, "now agrees with time()");
}

static void
test_golden(void)
{
    size_t size;
    char *text = mld_test_slurp(GOLDEN_DATES, &size);
    if (!ok(text != NULL, "golden: read %s (run from the repository root)", GOLDEN_DATES))
        return;
    int cases = 0, lineno = 0;
    char *save = NULL;
    for (char *line = text; line != NULL; line = save) {
        char *nl = strchr(line, '\n');
        save = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        lineno++;
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *col[4];
        int ncol = 0;
        for (char *p = line; ncol < 4;) {
            col[ncol++] = p;
            char *tab = strchr(p, '\t');
            if (tab == NULL)
                break;
            *tab = '\0';
            p = tab + 1;
        }
        if (ncol != 4) {
            ok(0, "golden line %d has four columns", lineno);
            continue;
        }
        size_t n;
        char *dec = mld_test_unescape(col[0], &n);
        char *in = mld_malloc(n); /* exact size: the sanitizers see overreads */
        memcpy(in, dec, n);
        free(dec);
        mld_time_t t = 0;
        int rc = mld_time_parse_iso(in, n, &t);
        if (rc != 0)
            rc = mld_time_parse_http(in, n, &t);
        mld_free(in);
        cases++;
        if (strcmp(col[1], "!parse") == 0) {
            is_int(rc, MLD_E_PARSE, "golden line %d: \"%s\" rejected", lineno, col[0]);
            continue;
        }
        if (rc != 0) {
            ok(0, "golden line %d: \"%s\" parses", lineno, col[0]);
            continue;
        }
        char got[3][MLD_TIME_LONG_LEN + 1];
        mld_time_format_long(t, got[0]);
        mld_time_format_short(t, got[1]);
        mld_time_format_iso(t, got[2]);
        bool same = strcmp(got[0], col[1]) == 0 && strcmp(got[1], col[2]) == 0 &&
                    strcmp(got[2], col[3]) == 0;
        if (!ok(same, "golden line %d: %s", lineno, col[0]))
            diag("  got:  %s | %s | %s\n#   want: %s | %s | %s", got[0], got[1], got[2], col[1],
                 col[2], col[3]);
    }
    ok(cases >= 50, "golden: %d cases", cases);
    free(text);
}

int
main(void)
{
    test_from_civil();
    test_civil_vs_gmtime();
    test_civil();
    test_berlin();
    test_berlin_vs_tzdata();
    test_parse_iso();
    test_http();
    test_now();
    test_golden();
    return mld_test_done();
}
