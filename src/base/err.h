/*
 * err.h - error codes and error reports.
 *
 * Actions return int: 0 on success, a negative MLD_E_* code on failure.
 * When the caller needs the reason (which file, where, why), the function
 * also takes a struct mld_err that receives code and message.
 */
#ifndef MLD_ERR_H
#define MLD_ERR_H

#include <stddef.h>

/* X-macro: name, code, description. One list; the enum and the string
 * table are both made from it. */
#define MLD_ERR_MAP(X)                                       \
    X(NOMEM, -1, "out of memory")                            \
    X(IO, -2, "input/output error")                          \
    X(NOTFOUND, -3, "not found")                             \
    X(PARSE, -4, "malformed input")                          \
    X(TOOBIG, -5, "input exceeds a limit")                   \
    X(DEPTH, -6, "input nested too deeply")                  \
    X(INVAL, -7, "invalid argument")                         \
    X(ENCODING, -8, "invalid text encoding")                 \
    X(MISSING, -9, "required field missing")                 \
    X(STORE, -10, "storage error")                           \
    X(TEMPLATE, -11, "template error")                       \
    X(HTTP, -12, "HTTP server error")                        \
    X(UNSUPPORTED, -13, "unsupported format")               \
    X(FULL, -14, "no space left for the store or a copy")

enum mld_errcode {
    MLD_OK = 0,
#define MLD_ERR_ENUM_(name, code, str) MLD_E_##name = code,
    MLD_ERR_MAP(MLD_ERR_ENUM_)
#undef MLD_ERR_ENUM_
};

/* Largest message an error report carries, including the NUL. */
#define MLD_ERR_MSG_MAX 512

/* An error report: the code and a message with context ("dw-1.json: line 3,
 * column 7: expected ','"). Embedded by callers; zero it with
 * mld_err_clear() or `= {0}`. */
struct mld_err {
    int code;                  /* 0 or a negative MLD_E_* code */
    char msg[MLD_ERR_MSG_MAX]; /* NUL-terminated; empty when code is 0 */
};

/* Returns the fixed description of code ("malformed input"), or "unknown
 * error" for a code not in the map. Never NULL. */
const char *mld_strerror(int code);

/* Records code and a printf-style message in err (which may be NULL) and
 * returns code, so that `return mld_err_set(err, MLD_E_PARSE, ...)` reads
 * naturally. A message longer than MLD_ERR_MSG_MAX is truncated. */
int mld_err_set(struct mld_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Puts "prefix: " in front of err's message (e.g. the file name), keeping
 * the code. Does nothing when err is NULL or holds no error. */
void mld_err_prefix(struct mld_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Resets err to "no error". */
void mld_err_clear(struct mld_err *err);

#endif
