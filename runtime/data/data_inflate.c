/* data_inflate.c: gzip (RFC 1952) and DEFLATE (RFC 1951) decompression and
 * CRC-32, so libdmrt reads .gz data files without zlib.
 *
 * Handles stored, fixed-Huffman and dynamic-Huffman blocks, every gzip header
 * field (FEXTRA, FNAME, FCOMMENT, FHCRC) and concatenated members; checks each
 * member's CRC-32 and length.  Huffman codes decode through a 10-bit lookup
 * table, with a canonical bit-by-bit walk for the longer codes.  Malformed or
 * truncated input is an error with a reason, never a crash: every read and
 * back-reference is bounds-checked. */
#include "rt.h"
#include "dm_data.h"
#include <stdlib.h>
#include <string.h>

/* ---- CRC-32 --------------------------------------------------------------- */

typedef struct crc_table { uint32_t t[256]; } crc_table;

static void crc_table_build(crc_table *ct) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) /* reflected polynomial 0xedb88320 */
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
        ct->t[n] = c;
    }
}

static uint32_t crc_update(const crc_table *ct, uint32_t crc, const uint8_t *data, size_t size) {
    crc = ~crc;
    for (size_t i = 0; i < size; i++)
        crc = ct->t[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

uint32_t dm_crc32(uint32_t crc, const uint8_t *data, size_t size) {
    crc_table ct;
    crc_table_build(&ct);
    return crc_update(&ct, crc, data, size);
}

/* ---- the decoder's state -------------------------------------------------- */

#define MAX_BITS 15
#define FAST_BITS 10

typedef struct huffman {
    uint16_t count[MAX_BITS + 1]; /* codes of each length */
    uint16_t symbol[288];         /* symbols in canonical code order */
    uint16_t fast[1 << FAST_BITS]; /* by the next FAST_BITS input bits: length << 9 | symbol; 0 = longer code */
} huffman;

typedef struct inflater {
    const uint8_t *in;
    size_t in_size, pos;   /* next unread input byte */
    uint64_t bits;         /* bit buffer, least significant bit first */
    int nbits;
    uint8_t *out;
    size_t out_size, out_cap;
    const char *name;
    int error;             /* DM_OK until the first error */
} inflater;

static int inflate_fail(inflater *s, const char *why) {
    if (s->error == DM_OK)
        s->error = rt_error(DM_EFORMAT, "%s: corrupt gzip data: %s", s->name, why);
    return -1;
}

static void refill(inflater *s) {
    while (s->nbits <= 56 && s->pos < s->in_size) {
        s->bits |= (uint64_t)s->in[s->pos++] << s->nbits;
        s->nbits += 8;
    }
}

/* The next k (<= 32) bits as a number; -1 (and an error) past the end. */
static int64_t get_bits(inflater *s, int k) {
    if (s->nbits < k)
        refill(s);
    if (s->nbits < k)
        return inflate_fail(s, "unexpected end of the compressed data (truncated file?)");
    int64_t v = (int64_t)(s->bits & ((1ull << k) - 1));
    s->bits >>= k;
    s->nbits -= k;
    return v;
}

static bool put_byte(inflater *s, uint8_t b) {
    if (s->out_size == s->out_cap) {
        size_t cap = s->out_cap ? s->out_cap * 2 : 1 << 16;
        uint8_t *p = realloc(s->out, cap);
        if (!p) {
            if (s->error == DM_OK)
                s->error = rt_error(DM_ENOMEM, "%s: out of memory while decompressing", s->name);
            return false;
        }
        s->out = p;
        s->out_cap = cap;
    }
    s->out[s->out_size++] = b;
    return true;
}

/* ---- Huffman codes ---------------------------------------------------------- */

static uint32_t reverse_bits(uint32_t code, int len) {
    uint32_t r = 0;
    for (int i = 0; i < len; i++, code >>= 1)
        r = (r << 1) | (code & 1);
    return r;
}

/* Builds the canonical code for lengths[0 .. n).  Returns 0 for a complete
 * code, > 0 for an incomplete one, < 0 for an over-subscribed one. */
static int huffman_build(huffman *h, const uint8_t *lengths, int n) {
    memset(h->count, 0, sizeof h->count);
    memset(h->fast, 0, sizeof h->fast);
    for (int i = 0; i < n; i++)
        h->count[lengths[i]]++;
    if (h->count[0] == n)
        return 1; /* no codes at all: incomplete */
    int left = 1;
    for (int len = 1; len <= MAX_BITS; len++) {
        left = 2 * left - h->count[len];
        if (left < 0)
            return -1;
    }
    uint16_t offs[MAX_BITS + 2];
    offs[1] = 0;
    for (int len = 1; len <= MAX_BITS; len++)
        offs[len + 1] = (uint16_t)(offs[len] + h->count[len]);
    for (int i = 0; i < n; i++)
        if (lengths[i])
            h->symbol[offs[lengths[i]]++] = (uint16_t)i;
    /* The fast table: walk the canonical codes in order. */
    uint32_t code = 0;
    int index = 0;
    for (int len = 1; len <= FAST_BITS; len++) {
        for (int k = 0; k < h->count[len]; k++, index++, code++) {
            uint32_t rev = reverse_bits(code, len);
            for (uint32_t fill = rev; fill < (1u << FAST_BITS); fill += 1u << len)
                h->fast[fill] = (uint16_t)(len << 9 | h->symbol[index]);
        }
        code <<= 1;
    }
    return left;
}

/* Decodes one symbol; -1 on error. */
static int huffman_decode(inflater *s, const huffman *h) {
    if (s->nbits < MAX_BITS)
        refill(s);
    uint16_t e = h->fast[s->bits & ((1u << FAST_BITS) - 1)];
    if (e && (e >> 9) <= s->nbits) {
        s->bits >>= e >> 9;
        s->nbits -= e >> 9;
        return e & 0x1ff;
    }
    /* Canonical decode, one bit at a time (codes longer than FAST_BITS). */
    int code = 0, first = 0, index = 0;
    for (int len = 1; len <= MAX_BITS; len++) {
        int64_t bit = get_bits(s, 1);
        if (bit < 0)
            return -1;
        code |= (int)bit;
        int count = h->count[len];
        if (code - count < first)
            return h->symbol[index + (code - first)];
        index += count;
        first = (first + count) << 1;
        code <<= 1;
    }
    return inflate_fail(s, "invalid Huffman code");
}

/* ---- blocks ------------------------------------------------------------------- */

static const uint16_t length_base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                         31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t length_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                         2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t dist_base[30] = {1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
                                       193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6,
                                       6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

/* Literal/length and distance symbols until end-of-block. */
static int inflate_codes(inflater *s, const huffman *lit, const huffman *dist) {
    for (;;) {
        int sym = huffman_decode(s, lit);
        if (sym < 0)
            return -1;
        if (sym < 256) {
            if (!put_byte(s, (uint8_t)sym))
                return -1;
            continue;
        }
        if (sym == 256)
            return 0;
        sym -= 257;
        if (sym >= 29)
            return inflate_fail(s, "invalid length symbol");
        int64_t extra = get_bits(s, length_extra[sym]);
        if (extra < 0)
            return -1;
        size_t len = length_base[sym] + (size_t)extra;
        int dsym = huffman_decode(s, dist);
        if (dsym < 0)
            return -1;
        if (dsym >= 30)
            return inflate_fail(s, "invalid distance symbol");
        extra = get_bits(s, dist_extra[dsym]);
        if (extra < 0)
            return -1;
        size_t distance = dist_base[dsym] + (size_t)extra;
        if (distance > s->out_size)
            return inflate_fail(s, "a back-reference reaches before the start of the data");
        for (size_t i = 0; i < len; i++) /* byte by byte: the ranges may overlap */
            if (!put_byte(s, s->out[s->out_size - distance]))
                return -1;
    }
}

static int inflate_stored(inflater *s) {
    /* Drop the bits up to the byte boundary, then give back whole buffered bytes. */
    s->bits >>= s->nbits % 8;
    s->nbits -= s->nbits % 8;
    s->pos -= (size_t)s->nbits / 8;
    s->bits = 0;
    s->nbits = 0;
    if (s->in_size - s->pos < 4)
        return inflate_fail(s, "unexpected end of the compressed data (truncated file?)");
    unsigned len = s->in[s->pos] | s->in[s->pos + 1] << 8;
    unsigned nlen = s->in[s->pos + 2] | s->in[s->pos + 3] << 8;
    s->pos += 4;
    if (len != (~nlen & 0xffff))
        return inflate_fail(s, "a stored block's length check fails");
    if (s->in_size - s->pos < len)
        return inflate_fail(s, "unexpected end of the compressed data (truncated file?)");
    for (unsigned i = 0; i < len; i++)
        if (!put_byte(s, s->in[s->pos + i]))
            return -1;
    s->pos += len;
    return 0;
}

static int inflate_fixed(inflater *s) {
    huffman lit, dist; /* rebuilt per block: cheap next to the block's data */
    uint8_t lengths[288];
    int i = 0;
    for (; i < 144; i++) lengths[i] = 8;
    for (; i < 256; i++) lengths[i] = 9;
    for (; i < 280; i++) lengths[i] = 7;
    for (; i < 288; i++) lengths[i] = 8;
    huffman_build(&lit, lengths, 288);
    for (i = 0; i < 30; i++)
        lengths[i] = 5;
    huffman_build(&dist, lengths, 30);
    return inflate_codes(s, &lit, &dist);
}

static int inflate_dynamic(inflater *s) {
    static const uint8_t order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    int64_t hlit = get_bits(s, 5), hdist = get_bits(s, 5), hclen = get_bits(s, 4);
    if (hlit < 0 || hdist < 0 || hclen < 0)
        return -1;
    int nlen = (int)hlit + 257, ndist = (int)hdist + 1, ncode = (int)hclen + 4;
    if (nlen > 286 || ndist > 30)
        return inflate_fail(s, "too many length or distance codes");
    uint8_t lengths[320] = {0};
    for (int i = 0; i < ncode; i++) {
        int64_t v = get_bits(s, 3);
        if (v < 0)
            return -1;
        lengths[order[i]] = (uint8_t)v;
    }
    huffman lencode, lit, dist;
    if (huffman_build(&lencode, lengths, 19) != 0)
        return inflate_fail(s, "incomplete code-length code");
    memset(lengths, 0, sizeof lengths);
    for (int i = 0; i < nlen + ndist;) {
        int sym = huffman_decode(s, &lencode);
        if (sym < 0)
            return -1;
        if (sym < 16) {
            lengths[i++] = (uint8_t)sym;
            continue;
        }
        int value = 0;
        int64_t repeat;
        if (sym == 16) {
            if (i == 0)
                return inflate_fail(s, "a repeat with no previous length");
            value = lengths[i - 1];
            repeat = get_bits(s, 2);
            repeat = repeat < 0 ? -1 : 3 + repeat;
        } else if (sym == 17) {
            repeat = get_bits(s, 3);
            repeat = repeat < 0 ? -1 : 3 + repeat;
        } else {
            repeat = get_bits(s, 7);
            repeat = repeat < 0 ? -1 : 11 + repeat;
        }
        if (repeat < 0)
            return -1;
        if (i + repeat > nlen + ndist)
            return inflate_fail(s, "code lengths overflow the table");
        while (repeat--)
            lengths[i++] = (uint8_t)value;
    }
    if (lengths[256] == 0)
        return inflate_fail(s, "no end-of-block code");
    /* Incomplete codes are allowed only as a single code of length 1 (RFC 1951 3.2.7). */
    int err = huffman_build(&lit, lengths, nlen);
    if (err < 0 || (err > 0 && nlen - lit.count[0] != 1))
        return inflate_fail(s, "invalid literal/length code");
    err = huffman_build(&dist, lengths + nlen, ndist);
    if (err < 0 || (err > 0 && ndist - dist.count[0] > 1))
        return inflate_fail(s, "invalid distance code");
    return inflate_codes(s, &lit, &dist);
}

/* Inflates one DEFLATE stream starting at s->pos; leaves s->pos after its last byte. */
static int inflate_stream(inflater *s) {
    s->bits = 0;
    s->nbits = 0;
    for (;;) {
        int64_t last = get_bits(s, 1), type = get_bits(s, 2);
        if (last < 0 || type < 0)
            return -1;
        int rc = type == 0 ? inflate_stored(s) : type == 1 ? inflate_fixed(s) : type == 2 ? inflate_dynamic(s)
                                                                                           : inflate_fail(s, "invalid block type 3");
        if (rc < 0)
            return -1;
        if (last)
            break;
    }
    /* Give back the whole bytes still buffered: the gzip trailer follows. */
    s->pos -= (size_t)s->nbits / 8;
    s->bits = 0;
    s->nbits = 0;
    return 0;
}

/* ---- gzip ------------------------------------------------------------------------ */

static uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Skips a member's header; -1 on error. */
static int gzip_header(inflater *s) {
    const uint8_t *in = s->in;
    size_t start = s->pos;
    if (s->in_size - s->pos >= 2 && (in[s->pos] != 0x1f || in[s->pos + 1] != 0x8b))
        return inflate_fail(s, start ? "bytes after the last gzip member (bad magic)" : "not a gzip member (bad magic)");
    if (s->in_size - s->pos < 10)
        return inflate_fail(s, "truncated gzip header");
    if (in[s->pos + 2] != 8)
        return inflate_fail(s, "unknown compression method (not DEFLATE)");
    int flags = in[s->pos + 3];
    if (flags & 0xe0)
        return inflate_fail(s, "reserved header flags set");
    s->pos += 10;
    if (flags & 4) { /* FEXTRA */
        if (s->in_size - s->pos < 2)
            return inflate_fail(s, "truncated gzip header");
        size_t xlen = in[s->pos] | (size_t)in[s->pos + 1] << 8;
        s->pos += 2;
        if (s->in_size - s->pos < xlen)
            return inflate_fail(s, "truncated gzip header");
        s->pos += xlen;
    }
    for (int field = 8; field <= 16; field *= 2) { /* FNAME, then FCOMMENT: zero-terminated */
        if (!(flags & field))
            continue;
        while (s->pos < s->in_size && in[s->pos])
            s->pos++;
        if (s->pos >= s->in_size)
            return inflate_fail(s, "truncated gzip header");
        s->pos++;
    }
    if (flags & 2) { /* FHCRC: the low 16 bits of the header's CRC-32 */
        if (s->in_size - s->pos < 2)
            return inflate_fail(s, "truncated gzip header");
        uint32_t want = in[s->pos] | (uint32_t)in[s->pos + 1] << 8;
        if ((dm_crc32(0, in + start, s->pos - start) & 0xffff) != want)
            return inflate_fail(s, "header checksum mismatch");
        s->pos += 2;
    }
    return 0;
}

int dm_gunzip(const uint8_t *in, size_t in_size, uint8_t **out, size_t *out_size, const char *name) {
    rt_clear_error();
    if (!in || !out || !out_size)
        return rt_error(DM_EINVAL, "dm_gunzip: NULL argument");
    inflater s = {0};
    s.in = in;
    s.in_size = in_size;
    s.name = name ? name : "gzip data";
    if (in_size >= 4) { /* ISIZE of the last member: a good first guess for the output size */
        s.out_cap = le32(in + in_size - 4);   /* at most 2^32 - 1: fits size_t on 32-bit targets too */
        if (s.out_cap < 64)
            s.out_cap = 64;
        s.out = malloc(s.out_cap);
        if (!s.out)
            s.out_cap = 0;
    }
    crc_table ct;
    crc_table_build(&ct);
    do {
        size_t member_start = s.out_size;
        if (gzip_header(&s) < 0 || inflate_stream(&s) < 0)
            break;
        if (s.in_size - s.pos < 8) {
            inflate_fail(&s, "truncated gzip trailer (CRC-32 and length)");
            break;
        }
        uint32_t crc = crc_update(&ct, 0, s.out + member_start, s.out_size - member_start);
        if (crc != le32(s.in + s.pos)) {
            inflate_fail(&s, "CRC-32 mismatch (the data is damaged)");
            break;
        }
        if ((uint32_t)(s.out_size - member_start) != le32(s.in + s.pos + 4)) {
            inflate_fail(&s, "length mismatch in the gzip trailer");
            break;
        }
        s.pos += 8;
    } while (s.pos < s.in_size);
    if (s.error != DM_OK) {
        free(s.out);
        return s.error;
    }
    *out = s.out ? s.out : malloc(1);
    *out_size = s.out_size;
    return *out ? DM_OK : rt_error(DM_ENOMEM, "%s: out of memory", s.name);
}
