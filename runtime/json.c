/* json.c: a small strict JSON reader (RFC 8259) for safetensors headers.
 *
 * Accepts exactly one value with optional surrounding whitespace; rejects
 * trailing commas, comments, leading zeros, bare control characters in
 * strings, invalid escapes, lone surrogates and nesting deeper than 64.
 * Strings are decoded to UTF-8.  Numbers keep their double value, and a
 * plain non-negative integer also keeps its exact uint64 value (offsets and
 * dimensions need all 64 bits).  On error, the reason and the byte offset. */
#include "rt.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

typedef struct parser {
    const char *s;
    size_t len, pos;
    char *err;
    size_t errsize;
    size_t *at;
    bool failed;
} parser;

static rt_json *fail(parser *p, const char *why) {
    if (!p->failed) {
        snprintf(p->err, p->errsize, "%s", why);
        *p->at = p->pos;
        p->failed = true;
    }
    return NULL;
}

static void skip_space(parser *p) {
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
                               p->s[p->pos] == '\r'))
        p->pos++;
}

static int peek(parser *p) {
    return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static rt_json *new_value(parser *p, rt_json_kind kind) {
    rt_json *v = calloc(1, sizeof *v);
    if (!v)
        return fail(p, "out of memory");
    v->kind = kind;
    v->pos = p->pos;
    return v;
}

static bool literal(parser *p, const char *word) {
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
        return false;
    p->pos += n;
    return true;
}

static int hex4(parser *p) {
    if (p->len - p->pos < 4)
        return -1;
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p->s[p->pos + i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    p->pos += 4;
    return v;
}

static size_t put_utf8(char *out, uint32_t c) {
    if (c < 0x80) { out[0] = (char)c; return 1; }
    if (c < 0x800) { out[0] = (char)(0xc0 | c >> 6); out[1] = (char)(0x80 | (c & 0x3f)); return 2; }
    if (c < 0x10000) {
        out[0] = (char)(0xe0 | c >> 12); out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        out[2] = (char)(0x80 | (c & 0x3f)); return 3;
    }
    out[0] = (char)(0xf0 | c >> 18); out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3f)); out[3] = (char)(0x80 | (c & 0x3f));
    return 4;
}

/* Reads a string starting at '"'; the decoded text is never longer than the source. */
static char *parse_string(parser *p, size_t *out_len) {
    size_t start = ++p->pos, n = 0;
    size_t end = start;
    while (end < p->len && p->s[end] != '"') /* find an upper bound for the buffer */
        end += p->s[end] == '\\' ? 2 : 1;
    char *out = malloc(end - start + 1);
    if (!out)
        return (char *)fail(p, "out of memory");
    for (;;) {
        int c = peek(p);
        if (c < 0) { free(out); return (char *)fail(p, "unterminated string"); }
        if (c == '"') { p->pos++; break; }
        if (c < 0x20) { free(out); return (char *)fail(p, "control character in a string"); }
        if (c != '\\') { out[n++] = (char)c; p->pos++; continue; }
        p->pos++;
        int e = peek(p);
        p->pos++;
        switch (e) {
        case '"': out[n++] = '"'; break;
        case '\\': out[n++] = '\\'; break;
        case '/': out[n++] = '/'; break;
        case 'b': out[n++] = '\b'; break;
        case 'f': out[n++] = '\f'; break;
        case 'n': out[n++] = '\n'; break;
        case 'r': out[n++] = '\r'; break;
        case 't': out[n++] = '\t'; break;
        case 'u': {
            int hi = hex4(p);
            if (hi < 0) { free(out); return (char *)fail(p, "bad \\u escape"); }
            uint32_t cp = (uint32_t)hi;
            if (hi >= 0xdc00 && hi <= 0xdfff) { free(out); return (char *)fail(p, "lone low surrogate"); }
            if (hi >= 0xd800 && hi <= 0xdbff) {
                int lo = -1;
                if (literal(p, "\\u"))
                    lo = hex4(p);
                if (lo < 0xdc00 || lo > 0xdfff) { free(out); return (char *)fail(p, "lone high surrogate"); }
                cp = 0x10000 + (((uint32_t)hi - 0xd800) << 10) + ((uint32_t)lo - 0xdc00);
            }
            n += put_utf8(out + n, cp);
            break;
        }
        default:
            p->pos--;
            free(out);
            return (char *)fail(p, "bad escape in a string");
        }
    }
    out[n] = 0;
    *out_len = n;
    return out;
}

static rt_json *parse_number(parser *p) {
    rt_json *v = new_value(p, RT_JSON_NUMBER);
    if (!v)
        return NULL;
    size_t start = p->pos;
    bool plain = true;
    if (peek(p) == '-') { p->pos++; plain = false; }
    if (peek(p) == '0') {
        p->pos++;
    } else if (peek(p) >= '1' && peek(p) <= '9') {
        while (peek(p) >= '0' && peek(p) <= '9') p->pos++;
    } else {
        free(v);
        return fail(p, "bad number");
    }
    if (peek(p) == '.') {
        plain = false;
        p->pos++;
        if (!(peek(p) >= '0' && peek(p) <= '9')) { free(v); return fail(p, "bad number: digits expected after '.'"); }
        while (peek(p) >= '0' && peek(p) <= '9') p->pos++;
    }
    if (peek(p) == 'e' || peek(p) == 'E') {
        plain = false;
        p->pos++;
        if (peek(p) == '+' || peek(p) == '-') p->pos++;
        if (!(peek(p) >= '0' && peek(p) <= '9')) { free(v); return fail(p, "bad number: digits expected in the exponent"); }
        while (peek(p) >= '0' && peek(p) <= '9') p->pos++;
    }
    char buf[400];
    size_t n = p->pos - start;
    if (n >= sizeof buf) { free(v); return fail(p, "number too long"); }
    memcpy(buf, p->s + start, n);
    buf[n] = 0;
    v->number = strtod(buf, NULL);
    if (plain) {
        errno = 0;
        unsigned long long u = strtoull(buf, NULL, 10);
        v->is_uint = errno == 0;
        v->uint = u;
    }
    return v;
}

static rt_json *parse_value(parser *p, int depth);

/* Appends item (and key, for objects) to a container, growing its arrays. */
static bool append(parser *p, rt_json *c, rt_json *item, char *key) {
    if ((c->count & (c->count - 1)) == 0) { /* 0, 1, 2, 4, ...: double the capacity */
        int cap = c->count ? 2 * c->count : 1;
        rt_json **items = realloc(c->items, (size_t)cap * sizeof *items);
        if (!items)
            return fail(p, "out of memory"), false;
        c->items = items;
        if (c->kind == RT_JSON_OBJECT) {
            char **keys = realloc(c->keys, (size_t)cap * sizeof *keys);
            if (!keys)
                return fail(p, "out of memory"), false;
            c->keys = keys;
        }
    }
    c->items[c->count] = item;
    if (c->kind == RT_JSON_OBJECT)
        c->keys[c->count] = key;
    c->count++;
    return true;
}

static rt_json *parse_container(parser *p, int depth, bool object) {
    rt_json *c = new_value(p, object ? RT_JSON_OBJECT : RT_JSON_ARRAY);
    if (!c)
        return NULL;
    char close = object ? '}' : ']';
    p->pos++;
    skip_space(p);
    if (peek(p) == close) {
        p->pos++;
        return c;
    }
    for (;;) {
        char *key = NULL;
        skip_space(p);
        if (object) {
            size_t klen;
            if (peek(p) != '"' || !(key = parse_string(p, &klen))) {
                fail(p, "expected a member name in double quotes");
                break;
            }
            skip_space(p);
            if (peek(p) != ':') {
                free(key);
                fail(p, "expected ':'");
                break;
            }
            p->pos++;
        }
        rt_json *item = parse_value(p, depth + 1);
        if (!item || !append(p, c, item, key)) {
            free(key);
            rt_json_free(item);
            break;
        }
        skip_space(p);
        if (peek(p) == ',') {
            p->pos++;
            continue;
        }
        if (peek(p) == close) {
            p->pos++;
            return c;
        }
        fail(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
        break;
    }
    rt_json_free(c);
    return NULL;
}

static rt_json *parse_value(parser *p, int depth) {
    if (depth > MAX_DEPTH)
        return fail(p, "nesting too deep");
    skip_space(p);
    int c = peek(p);
    rt_json *v;
    switch (c) {
    case '{': return parse_container(p, depth, true);
    case '[': return parse_container(p, depth, false);
    case '"': {
        if (!(v = new_value(p, RT_JSON_STRING)))
            return NULL;
        if (!(v->string = parse_string(p, &v->len))) {
            free(v);
            return NULL;
        }
        return v;
    }
    case 't': case 'f': case 'n':
        if (!(v = new_value(p, c == 'n' ? RT_JSON_NULL : RT_JSON_BOOL)))
            return NULL;
        v->boolean = c == 't';
        if (literal(p, c == 't' ? "true" : c == 'f' ? "false" : "null"))
            return v;
        free(v);
        return fail(p, "unknown word");
    case -1:
        return fail(p, "unexpected end of text");
    default:
        if (c == '-' || (c >= '0' && c <= '9'))
            return parse_number(p);
        return fail(p, "unexpected character");
    }
}

rt_json *rt_json_parse(const char *text, size_t len, char *err, size_t errsize, size_t *at) {
    size_t dummy;
    parser p = {text, len, 0, err, errsize, at ? at : &dummy, false};
    rt_json *v = parse_value(&p, 0);
    if (!v)
        return NULL;
    skip_space(&p);
    if (p.pos != len) {
        rt_json_free(v);
        return fail(&p, "text after the end of the value");
    }
    return v;
}

void rt_json_free(rt_json *v) {
    if (!v)
        return;
    for (int i = 0; i < v->count; i++) {
        rt_json_free(v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->string);
    free(v);
}

const rt_json *rt_json_get(const rt_json *obj, const char *key) {
    if (!obj || obj->kind != RT_JSON_OBJECT)
        return NULL;
    for (int i = 0; i < obj->count; i++)
        if (strcmp(obj->keys[i], key) == 0)
            return obj->items[i];
    return NULL;
}
