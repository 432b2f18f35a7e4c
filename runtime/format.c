/* Python-exact number formatting: repr(float) as the shortest round-trip string, str(int), and
 * format(v, spec) for f-strings ({x:.3f} {n:>5} {x:,} {s:<10} {x:e} {x:%} {n:05d} ...), following
 * the format-spec mini-language of CPython 3.11 for int, float, bool and str. */
#include <math.h>
#include <stdlib.h>

#include "runtime/value_impl.h"

/* ---- float repr -------------------------------------------------------------------------- */

int rt_float_shortest(double x, char *d) {
    char buf[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, x);
        if (p == 17 || strtod(buf, NULL) == x) break;
    }
    /* buf = [-]D[.DDD]e[+-]XX */
    const char *s = buf;
    if (*s == '-') s++;
    int n = 0;
    for (; *s != 'e'; s++)
        if (*s != '.') d[n++] = *s;
    while (n > 1 && d[n - 1] == '0') n--;
    d[n] = 0;
    return atoi(s + 1) + 1;
}

int rt_float_repr_buf(double x, char *buf) {
    if (isnan(x)) return sprintf(buf, "nan");
    if (isinf(x)) return sprintf(buf, x > 0 ? "inf" : "-inf");
    if (x == 0.0) return sprintf(buf, signbit(x) ? "-0.0" : "0.0");
    char d[24];
    int decpt = rt_float_shortest(x, d);
    int n = (int)strlen(d), o = 0;
    if (x < 0) buf[o++] = '-';
    if (decpt > 16 || decpt <= -4) {
        buf[o++] = d[0];
        if (n > 1) {
            buf[o++] = '.';
            memcpy(buf + o, d + 1, (size_t)n - 1);
            o += n - 1;
        }
        int e = decpt - 1;
        o += sprintf(buf + o, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
    } else if (decpt <= 0) {
        buf[o++] = '0';
        buf[o++] = '.';
        for (int i = 0; i < -decpt; i++) buf[o++] = '0';
        memcpy(buf + o, d, (size_t)n);
        o += n;
    } else if (decpt < n) {
        memcpy(buf + o, d, (size_t)decpt);
        o += decpt;
        buf[o++] = '.';
        memcpy(buf + o, d + decpt, (size_t)(n - decpt));
        o += n - decpt;
    } else {
        memcpy(buf + o, d, (size_t)n);
        o += n;
        for (int i = n; i < decpt; i++) buf[o++] = '0';
        buf[o++] = '.';
        buf[o++] = '0';
    }
    buf[o] = 0;
    return o;
}

pf_str *rt_str_from_float(pf_ctx *ctx, double v) {
    char buf[40];
    int n = rt_float_repr_buf(v, buf);
    return rt_str_new(ctx, buf, n);
}

pf_str *rt_str_from_int(pf_ctx *ctx, int64_t v) {
    char buf[24];
    int n = snprintf(buf, sizeof buf, "%lld", (long long)v);
    return rt_str_new(ctx, buf, n);
}

typedef struct str_word {
    pf_obj h;
    int64_t len, ncp;
    char data[8];
} str_word;
static const str_word true_str = {{0, PF_K_STR, PF_F_ASCII, 0}, 4, 4, "True"};
static const str_word false_str = {{0, PF_K_STR, PF_F_ASCII, 0}, 5, 5, "False"};

pf_str *rt_str_from_bool(pf_ctx *ctx, int64_t v) {
    (void)ctx;
    return (pf_str *)(uintptr_t)(v ? &true_str : &false_str); /* immortal constants */
}

/* ---- format spec ------------------------------------------------------------------------- */

typedef struct spec {
    char fill[5];   /* UTF-8 of the fill code point */
    int fill_len;
    char align;     /* 0, '<', '>', '=', '^' */
    char sign;      /* 0, '+', '-', ' ' */
    int alt;        /* '#' */
    int zero;       /* '0' before width */
    int64_t width;  /* -1 when absent */
    char group;     /* 0, ',', '_' */
    int64_t prec;   /* -1 when absent */
    char type;      /* 0 or the presentation type */
} spec;

static int utf8_len(unsigned char c) { return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; }

static int is_align(char c) { return c == '<' || c == '>' || c == '=' || c == '^'; }

static int parse_spec(pf_ctx *ctx, const pf_str *s, spec *sp) {
    memset(sp, 0, sizeof *sp);
    sp->fill[0] = ' ';
    sp->fill_len = 1;
    sp->width = -1;
    sp->prec = -1;
    if (!s || s->len == 0) return 0;
    const char *p = s->data, *end = s->data + s->len;
    int fl = utf8_len((unsigned char)*p), explicit_fill = 0;
    if (p + fl < end && is_align(p[fl])) {
        explicit_fill = 1;
        memcpy(sp->fill, p, (size_t)fl);
        sp->fill_len = fl;
        sp->align = p[fl];
        p += fl + 1;
    } else if (is_align(*p)) {
        sp->align = *p++;
    }
    if (p < end && (*p == '+' || *p == '-' || *p == ' ')) sp->sign = *p++;
    if (p < end && *p == 'z') p++; /* 3.11 negative-zero coercion: accepted, ignored */
    if (p < end && *p == '#') sp->alt = 1, p++;
    if (p < end && *p == '0') sp->zero = 1, p++;
    if (p < end && *p >= '0' && *p <= '9') {
        sp->width = 0;
        while (p < end && *p >= '0' && *p <= '9') sp->width = sp->width * 10 + (*p++ - '0');
    }
    if (p < end && (*p == ',' || *p == '_')) sp->group = *p++;
    if (p < end && *p == '.') {
        p++;
        if (!(p < end && *p >= '0' && *p <= '9')) goto bad_prec;
        sp->prec = 0;
        while (p < end && *p >= '0' && *p <= '9') sp->prec = sp->prec * 10 + (*p++ - '0');
    }
    if (p < end) sp->type = *p++;
    if (p < end) {
        rt_raise(ctx, PF_EXC_VALUE, "Invalid format specifier '%s' for object of type '%s'", s->data, "value");
        return -1;
    }
    if (sp->zero) {
        /* '0' sets the fill unless one was given, and sign-aware alignment unless one was given */
        if (!explicit_fill) {
            sp->fill[0] = '0';
            sp->fill_len = 1;
        }
        if (!sp->align) sp->align = '=';
    }
    return 0;
bad_prec:
    rt_raise(ctx, PF_EXC_VALUE, "Format specifier missing precision");
    return -1;
}

static int64_t cp_count(const char *s, size_t n) {
    int64_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) c++;
    return c;
}

/* Emit prefix (sign, 0x) and body padded to the spec's width with default alignment dflt. */
static void pad_out(rt_sbuf *sb, const spec *sp, const char *prefix, const char *body, size_t body_len,
                    char dflt) {
    size_t pl = strlen(prefix);
    int64_t w = cp_count(prefix, pl) + cp_count(body, body_len);
    int64_t padn = sp->width > w ? sp->width - w : 0;
    char al = sp->align ? sp->align : dflt;
    if (al == '>') rt_sb_fill(sb, sp->fill, (size_t)sp->fill_len, padn);
    if (al == '^') rt_sb_fill(sb, sp->fill, (size_t)sp->fill_len, padn / 2);
    rt_sb_put(sb, prefix, pl);
    if (al == '=') rt_sb_fill(sb, sp->fill, (size_t)sp->fill_len, padn);
    rt_sb_put(sb, body, body_len);
    if (al == '<') rt_sb_fill(sb, sp->fill, (size_t)sp->fill_len, padn);
    if (al == '^') rt_sb_fill(sb, sp->fill, (size_t)sp->fill_len, padn - padn / 2);
}

/* Insert group separators every `every` digits into the digit run digits[0..n), writing to out.
 * When zero-padding to `minw` (the '0' flag with grouping), leading zeros are added first. */
static size_t group_digits(const char *digits, size_t n, char sep, int every, int64_t minw, char *out) {
    char tmp[512];
    size_t m = n;
    memcpy(tmp, digits, n);
    for (;;) {
        size_t grouped = m + (m - 1) / (size_t)every;
        if ((int64_t)grouped >= minw || m + 1 >= sizeof tmp) break;
        memmove(tmp + 1, tmp, m);
        tmp[0] = '0';
        m++;
    }
    size_t o = 0;
    for (size_t i = 0; i < m; i++) {
        if (i > 0 && (m - i) % (size_t)every == 0) out[o++] = sep;
        out[o++] = tmp[i];
    }
    return o;
}

static int format_int(pf_ctx *ctx, rt_sbuf *sb, int64_t v, const spec *sp) {
    char type = sp->type ? sp->type : 'd';
    if (sp->prec >= 0) {
        rt_raise(ctx, PF_EXC_VALUE, "Precision not allowed in integer format specifier");
        return -1;
    }
    if (type == 'c') {
        if (v < 0 || v > 0x10FFFF) {
            rt_raise(ctx, PF_EXC_OVERFLOW, "%%c arg not in range(0x110000)");
            return -1;
        }
        char u[5];
        int n;
        uint32_t c = (uint32_t)v;
        if (c < 0x80) u[0] = (char)c, n = 1;
        else if (c < 0x800) u[0] = (char)(0xC0 | c >> 6), u[1] = (char)(0x80 | (c & 0x3F)), n = 2;
        else if (c < 0x10000)
            u[0] = (char)(0xE0 | c >> 12), u[1] = (char)(0x80 | ((c >> 6) & 0x3F)), u[2] = (char)(0x80 | (c & 0x3F)), n = 3;
        else
            u[0] = (char)(0xF0 | c >> 18), u[1] = (char)(0x80 | ((c >> 12) & 0x3F)),
            u[2] = (char)(0x80 | ((c >> 6) & 0x3F)), u[3] = (char)(0x80 | (c & 0x3F)), n = 4;
        pad_out(sb, sp, "", u, (size_t)n, '<');
        return 0;
    }
    int base = 10, every = 3;
    const char *pfx = "";
    switch (type) {
    case 'd':
    case 'n': break;
    case 'b': base = 2, every = 4, pfx = "0b"; break;
    case 'o': base = 8, every = 4, pfx = "0o"; break;
    case 'x': base = 16, every = 4, pfx = "0x"; break;
    case 'X': base = 16, every = 4, pfx = "0X"; break;
    default:
        rt_raise(ctx, PF_EXC_VALUE, "Unknown format code '%c' for object of type 'int'", type);
        return -1;
    }
    if (sp->group == ',' && base != 10) {
        rt_raise(ctx, PF_EXC_VALUE, "Cannot specify ',' with '%c'.", type);
        return -1;
    }
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    char digits[80];
    int n = 0;
    const char *dig = type == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        digits[n++] = dig[u % (uint64_t)base];
        u /= (uint64_t)base;
    } while (u);
    for (int i = 0; i < n / 2; i++) {
        char t = digits[i];
        digits[i] = digits[n - 1 - i];
        digits[n - 1 - i] = t;
    }
    char prefix[8];
    int pl = 0;
    if (v < 0) prefix[pl++] = '-';
    else if (sp->sign == '+' || sp->sign == ' ') prefix[pl++] = sp->sign;
    if (sp->alt && base != 10) prefix[pl++] = pfx[0], prefix[pl++] = pfx[1];
    prefix[pl] = 0;
    char body[600];
    size_t bl;
    if (sp->group) {
        int64_t minw = (sp->align == '=' && sp->fill_len == 1 && sp->fill[0] == '0') ? sp->width - pl : 0;
        bl = group_digits(digits, (size_t)n, sp->group, every, minw, body);
    } else {
        memcpy(body, digits, (size_t)n);
        bl = (size_t)n;
    }
    pad_out(sb, sp, prefix, body, bl, '>');
    return 0;
}

/* Strip trailing zeros (and a bare '.') from the fraction of a fixed or mantissa string. */
static void strip_zeros(char *s) {
    char *e = strpbrk(s, "eE");
    char exp[16] = "";
    if (e) {
        snprintf(exp, sizeof exp, "%s", e);
        *e = 0;
    }
    if (strchr(s, '.')) {
        size_t n = strlen(s);
        while (n > 0 && s[n - 1] == '0') s[--n] = 0;
        if (n > 0 && s[n - 1] == '.') s[--n] = 0;
    }
    strcat(s, exp);
}

static int format_float(pf_ctx *ctx, rt_sbuf *sb, double x, const spec *sp) {
    char type = sp->type;
    char num[400];
    int64_t prec = sp->prec;
    if (prec > 300) prec = 300;
    int neg = signbit(x) && !isnan(x);
    double a = fabs(x);
    int upper = type == 'E' || type == 'F' || type == 'G';
    if (!isfinite(a)) {
        snprintf(num, sizeof num, "%s", isnan(a) ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf"));
        if (type == '%') strcat(num, "%");
    } else {
        switch (type) {
        case 'f':
        case 'F': snprintf(num, sizeof num, sp->alt ? "%#.*f" : "%.*f", (int)(prec < 0 ? 6 : prec), a); break;
        case 'e':
        case 'E':
            snprintf(num, sizeof num, sp->alt ? "%#.*e" : "%.*e", (int)(prec < 0 ? 6 : prec), a);
            if (type == 'E') *strchr(num, 'e') = 'E';
            break;
        case '%': snprintf(num, sizeof num, sp->alt ? "%#.*f%%" : "%.*f%%", (int)(prec < 0 ? 6 : prec), a * 100); break;
        case 'g':
        case 'G':
        case 'n': snprintf(num, sizeof num, sp->alt ? "%#.*g" : "%.*g", (int)(prec < 0 ? 6 : prec == 0 ? 1 : prec), a);
            if (type == 'G') {
                char *e = strchr(num, 'e');
                if (e) *e = 'E';
            }
            break;
        case 0:
            if (prec < 0) {
                rt_float_repr_buf(a, num);
            } else {
                /* like 'g', but switches to exponent notation at exp >= prec - 1 and always keeps
                 * a digit after the point in fixed notation (CPython's format_float_short) */
                int p = (int)(prec == 0 ? 1 : prec);
                char tmp[400];
                snprintf(tmp, sizeof tmp, "%.*e", p - 1, a);
                int e10 = atoi(strchr(tmp, 'e') + 1);
                if (e10 < -4 || e10 >= p - 1) {
                    if (sp->alt) snprintf(tmp, sizeof tmp, "%#.*e", p - 1, a);
                    else strip_zeros(tmp);
                    snprintf(num, sizeof num, "%s", tmp);
                } else if (sp->alt) {
                    snprintf(num, sizeof num, "%#.*f", p - 1 - e10, a);
                } else {
                    snprintf(num, sizeof num, "%.*f", p - 1 - e10, a);
                    strip_zeros(num);
                    if (!strchr(num, '.')) strcat(num, ".0");
                }
            }
            break;
        default:
            rt_raise(ctx, PF_EXC_VALUE, "Unknown format code '%c' for object of type 'float'", type);
            return -1;
        }
    }
    char prefix[4];
    int pl = 0;
    if (neg) prefix[pl++] = '-';
    else if (sp->sign == '+' || sp->sign == ' ') prefix[pl++] = sp->sign;
    prefix[pl] = 0;
    char body[800];
    size_t bl;
    if (sp->group && isfinite(a)) {
        size_t intlen = strspn(num, "0123456789");
        int64_t minw = (sp->align == '=' && sp->fill_len == 1 && sp->fill[0] == '0')
                           ? sp->width - pl - (int64_t)(strlen(num) - intlen)
                           : 0;
        bl = group_digits(num, intlen, sp->group, 3, minw, body);
        memcpy(body + bl, num + intlen, strlen(num) - intlen);
        bl += strlen(num) - intlen;
    } else {
        bl = strlen(num);
        memcpy(body, num, bl);
    }
    pad_out(sb, sp, prefix, body, bl, '>');
    return 0;
}

static int format_str(pf_ctx *ctx, rt_sbuf *sb, const pf_str *s, const spec *sp) {
    if (sp->type && sp->type != 's') {
        rt_raise(ctx, PF_EXC_VALUE, "Unknown format code '%c' for object of type 'str'", sp->type);
        return -1;
    }
    if (sp->sign) {
        rt_raise(ctx, PF_EXC_VALUE, "Sign not allowed in string format specifier");
        return -1;
    }
    if (sp->alt) {
        rt_raise(ctx, PF_EXC_VALUE, "Alternate form (#) not allowed in string format specifier");
        return -1;
    }
    if (sp->align == '=') {
        rt_raise(ctx, PF_EXC_VALUE, "'=' alignment not allowed in string format specifier");
        return -1;
    }
    size_t n = (size_t)s->len;
    if (sp->prec >= 0 && sp->prec < s->ncp) {
        int64_t k = 0;
        size_t off = 0;
        while (off < n && k < sp->prec) {
            off += (size_t)utf8_len((unsigned char)s->data[off]);
            k++;
        }
        n = off;
    }
    pad_out(sb, sp, "", s->data, n, '<');
    return 0;
}

pf_str *rt_format(pf_ctx *ctx, pf_slot v, const pf_type *t, const pf_str *specstr) {
    if (!specstr || specstr->len == 0) return rt_to_str(ctx, v, t);
    spec sp;
    if (parse_spec(ctx, specstr, &sp) < 0) return NULL;
    rt_sbuf sb = {0};
    int rc;
    switch (t->kind) {
    case PF_T_INT:
    case PF_T_BOOL:
        if (sp.type && strchr("eEfFgG%", sp.type)) rc = format_float(ctx, &sb, (double)v, &sp);
        else rc = format_int(ctx, &sb, v, &sp);
        break;
    case PF_T_FLOAT: rc = format_float(ctx, &sb, pf_slot_to_float(v), &sp); break;
    case PF_T_STR: rc = format_str(ctx, &sb, (const pf_str *)PF_OBJ_OF(v), &sp); break;
    case PF_T_OPTIONAL:
        if (v && t->elem->kind != PF_T_OPTIONAL) {
            pf_slot inner = pf_type_is_obj(t->elem) ? v : ((pf_box *)PF_OBJ_OF(v))->v;
            return rt_format(ctx, inner, t->elem, specstr);
        }
        __attribute__((fallthrough)); /* None */
    default: {
        /* object.__format__ accepts only the empty spec (handled above) */
        const char *name = t->kind == PF_T_LIST    ? "list"
                           : t->kind == PF_T_TUPLE ? "tuple"
                           : t->kind == PF_T_DICT  ? "dict"
                           : t->kind == PF_T_FUNC  ? "function"
                           : t->kind == PF_T_EXC && v ? rt_exc_name(((const pf_exc *)PF_OBJ_OF(v))->kind)
                           : t->kind == PF_T_RECORD && t->name ? t->name
                           : (t->kind == PF_T_NONE || t->kind == PF_T_OPTIONAL) ? "NoneType"
                                                                                 : "object";
        rt_raise(ctx, PF_EXC_TYPE, "unsupported format string passed to %s.__format__", name);
        return NULL;
    }
    }
    if (rc < 0) {
        rt_sb_free(&sb);
        return NULL;
    }
    return rt_sb_finish(ctx, &sb);
}
