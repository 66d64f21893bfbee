#!/bin/sh
#
# checksrc.sh - meldung's source checker, run by `make lint`.
#
# Checks what the compiler and clang-format do not:
#
#   * banned functions, anywhere: strcpy strcat strncpy strncat sprintf
#     vsprintf strtok atoi atol gets (as in curl's checksrc.pl);
#   * plain malloc calloc realloc reallocarray free strdup strndup in src/,
#     except in src/base/mem.c, which wraps them (test harnesses and fuzz
#     drivers stand apart from meldung and may use libc directly);
#   * every .c and .h file opens with a comment saying what it is for;
#   * every non-static function declared in a header under src/ has a
#     comment above it (functions declared in a group share one comment;
#     #define lines may sit between the comment and the declaration).
#
# Comments, string literals and character literals are blanked before the
# function checks, so prose like "never strcpy" does not count. A line
# holding the marker "checksrc:ok" is exempt; say why next to it.
#
# Usage: tools/checksrc.sh [FILE...]   (default: every .c/.h under src/,
# tests/, bench/ and tools/, but not in node_modules). Prints one
# "file:line: reason" per finding and exits 1 if there was any, 0 if none,
# 2 on a usage error.

set -u

cd "$(dirname "$0")/.." || exit 2

if [ "$#" -gt 0 ]; then
    files="$*"
else
    # (npm's packages of the browser tests are not meldung's source)
    files=$(find src tests bench tools -name node_modules -prune -o -type f \
        \( -name '*.c' -o -name '*.h' \) -print 2>/dev/null | LC_ALL=C sort)
fi
[ -n "$files" ] || exit 0

# shellcheck disable=SC2086 # the file list is split on purpose
awk '
# Blanks comments and string/character literals in line, keeping columns;
# in_comment carries an open /* ... */ across lines.
function strip(line,    out, i, n, c, d, q) {
    out = ""
    n = length(line)
    i = 1
    while (i <= n) {
        c = substr(line, i, 1)
        d = substr(line, i + 1, 1)
        if (in_comment) {
            if (c == "*" && d == "/") {
                in_comment = 0
                out = out "  "
                i += 2
            } else {
                out = out " "
                i++
            }
        } else if (c == "/" && d == "*") {
            in_comment = 1
            out = out "  "
            i += 2
        } else if (c == "/" && d == "/") {
            break
        } else if (c == "\"" || c == "\047") {
            q = c
            out = out q
            i++
            while (i <= n) {
                c = substr(line, i, 1)
                if (c == "\\") {
                    out = out "  "
                    i += 2
                    continue
                }
                i++
                if (c == q) {
                    out = out q
                    break
                }
                out = out " "
            }
        } else {
            out = out c
            i++
        }
    }
    return out
}

function report(msg) {
    printf "%s:%d: %s\n", FILENAME, FNR, msg
    found++
}

# Reports each call of a name in list (space-separated) found in code.
# A call is the name, not preceded by an identifier character, ".", or
# "->", followed by "(".
function calls(code, list, why,    names, k, re, rest, at) {
    split(list, names, " ")
    for (k in names) {
        re = "(^|[^A-Za-z0-9_.>])" names[k] "[ \t]*\\("
        rest = code
        while ((at = match(rest, re)) > 0) {
            report(names[k] " " why)
            rest = substr(rest, at + RLENGTH)
        }
    }
}

FNR == 1 {
    in_comment = 0
    opened = 0
    prev = "blank"
    in_proto = 0
    is_src = FILENAME ~ /^(\.\/)?src\//
    is_mem = FILENAME ~ /^(\.\/)?src\/base\/mem\.c$/
    is_hdr = FILENAME ~ /\.h$/
}

{
    raw = $0
    code = strip(raw)

    if (!opened && raw !~ /^[ \t]*$/) {
        opened = 1
        if (raw !~ /^[ \t]*(\/\*|\/\/)/)
            report("file does not open with a comment saying what it is for")
    }

    if (index(raw, "checksrc:ok") == 0) {
        calls(code, "strcpy strcat strncpy strncat",
              "is banned: copy with memcpy and known lengths, or build in struct mld_buf")
        calls(code, "sprintf vsprintf", "is banned: use snprintf or mld_buf_printf")
        calls(code, "strtok", "is banned: split slices (struct mld_str) instead")
        calls(code, "atoi atol", "is banned: use strtol/strtoll and check the result")
        calls(code, "gets", "is banned: use fgets")
        if (is_src && !is_mem)
            calls(code, "malloc calloc realloc reallocarray free strdup strndup",
                  "outside src/base/mem.c: use the mld_ wrappers of src/base/mem.h")
    }

    # Function comments in headers under src/.
    if (is_src && is_hdr) {
        if (in_proto) {
            if (code ~ /[;{]/)
                in_proto = 0
            next
        }
        if (code ~ /^[A-Za-z_][A-Za-z0-9_ \t*]*[ \t*][A-Za-z_][A-Za-z0-9_]*[ \t]*\(/ &&
            code !~ /^(static|typedef|extern[ \t]+"|return|else|do)[^A-Za-z0-9_]/) {
            if (prev != "comment" && prev != "proto" && prev != "define" &&
                index(raw, "checksrc:ok") == 0)
                report("function declared without a comment above it")
            prev = "proto"
            if (code !~ /[;{]/)
                in_proto = 1
        } else if (raw ~ /^[ \t]*$/) {
            prev = "blank"
        } else if (raw ~ /\*\/[ \t]*$/ || raw ~ /^[ \t]*\/\//) {
            prev = "comment"
        } else if (raw ~ /^#[ \t]*define/) {
            if (prev != "blank")
                prev = "define"
        } else {
            prev = "other"
        }
    }
}

END {
    exit found > 0 ? 1 : 0
}
' $files
