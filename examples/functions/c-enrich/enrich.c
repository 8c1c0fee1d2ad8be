// This file is C for clang --target=wasm32-wasi (see Makefile); the
// constraint below keeps the go tool, which tests this directory, from
// treating it as cgo source.
//go:build ignore

/*
 * c-enrich: a kinesin function written in C, implementing the WebAssembly
 * function ABI v1 (docs/wasm-abi.md) with nothing but wasi-libc.
 *
 * kind 1 (JSON event): the event must be a JSON object; the answer is that
 *   object with "enriched":true and "len":<length of the event in bytes>
 *   added. Anything else fails the invocation (status byte 1).
 * kind 2 (record batch): every record whose data is a JSON object is
 *   answered Ok with the same object plus "enriched":true and
 *   "len":<original data length>; any other record is ProcessingFailed
 *   (it is not reported in batchItemFailures: retrying it cannot help).
 *
 * Members named "enriched" or "len" already present at the top level of an
 * object are replaced, not duplicated. Input must be well-formed JSON
 * (RFC 8259, UTF-8): exactly one object, optionally surrounded by
 * whitespace.
 *
 * Build: see Makefile / build.sh (clang --target=wasm32-wasi, reactor).
 *
 * Hosts that can interrupt a guest (kinesin's engine runs wazero with
 * WithCloseOnContextDone) pay for every iteration of every loop: the scanner
 * therefore moves over strings 16 bytes at a time with SIMD128 (-msimd128;
 * a byte loop without it), copies with memory.copy (-mbulk-memory) and
 * avoids libc calls that loop over a few bytes.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#define EXPORT(name) __attribute__((export_name(name)))

/* Deepest nesting of arrays and objects inside the top-level object: with
 * it, 10000 levels in all, the limit of Go's encoding/json. */
#define MAX_DEPTH 9999

/* Readable bytes kept after the input, so that the string scanner may load
 * 16 bytes at a time without checking for the end first. */
#define SLACK 16

enum { KIND_EVENT = 1, KIND_BATCH = 2 };
enum { REC_OK = 0, REC_DROPPED = 1, REC_PROCESSING_FAILED = 2 };

/* ------------------------------------------------------------------------
 * Growable buffers. Out of memory is a trap: the host then fails the
 * invocation and discards the instance, as the ABI says.
 */

typedef struct {
	uint8_t *p;
	size_t len, cap;
} buf;

static void buf_reserve(buf *b, size_t extra) {
	if (extra <= b->cap - b->len)
		return;
	size_t need = b->len + extra;
	if (need < b->len)
		__builtin_trap();
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < need) {
		if (cap > SIZE_MAX / 2)
			__builtin_trap();
		cap *= 2;
	}
	uint8_t *p = realloc(b->p, cap);
	if (!p)
		__builtin_trap();
	b->p = p;
	b->cap = cap;
}

static inline void put_raw(buf *b, const void *src, size_t n) {
	buf_reserve(b, n);
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

static inline void put_u8(buf *b, uint8_t v) {
	buf_reserve(b, 1);
	b->p[b->len++] = v;
}

static inline void put_u32_at(uint8_t *p, uint32_t v) {
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void put_u32(buf *b, uint32_t v) {
	buf_reserve(b, 4);
	put_u32_at(b->p + b->len, v);
	b->len += 4;
}

static void put_str(buf *b, const char *s) { put_raw(b, s, strlen(s)); }

static void put_dec(buf *b, size_t v) {
	char tmp[24];
	int i = (int)sizeof tmp;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put_raw(b, tmp + i, sizeof tmp - (size_t)i);
}

/* ------------------------------------------------------------------------
 * JSON scanner: validates, does not build anything. RFC 8259 grammar;
 * strings must be valid UTF-8 (no overlong forms, no surrogates, nothing
 * above U+10FFFF) without raw control characters; escapes are checked
 * (\uXXXX needs four hex digits). Nesting is tracked with an explicit
 * stack, so hostile input cannot exhaust the call stack.
 */

#ifndef __wasm_simd128__
/* 1 for bytes a string may contain as-is (the byte-loop scanner). */
static uint8_t plain[256];
static int tables_ready;

static void init_tables(void) {
	for (int c = 0x20; c < 0x80; c++)
		plain[c] = 1;
	plain['"'] = 0;
	plain['\\'] = 0;
	tables_ready = 1;
}
#endif

#ifdef __wasm_simd128__
/* Bit k set if s[k] (0 <= k < 16) may not stand as-is in a string: a
 * quote, a backslash, a control character or a non-ASCII byte. */
static inline uint32_t special_mask(const uint8_t *s) {
	v128_t v = wasm_v128_load(s);
	/* signed: bytes >= 0x80 are negative, so below 0x20 as well */
	v128_t special = wasm_v128_or(wasm_i8x16_lt(v, wasm_i8x16_splat(0x20)),
	                              wasm_v128_or(wasm_i8x16_eq(v, wasm_i8x16_splat('"')),
	                                           wasm_i8x16_eq(v, wasm_i8x16_splat('\\'))));
	return wasm_i8x16_bitmask(special);
}
#endif

static inline size_t skip_ws(const uint8_t *s, size_t n, size_t i) {
	while (i < n && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t'))
		i++;
	return i;
}

static inline int is_hex(uint8_t c) {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline int hex_val(uint8_t c) {
	if (c <= '9')
		return c - '0';
	return (c | 0x20) - 'a' + 10;
}

/* Length of the valid UTF-8 sequence of two to four bytes at s[i], or 0. */
static size_t utf8_seq(const uint8_t *s, size_t n, size_t i) {
	uint8_t c = s[i];
	size_t need;
	uint8_t lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
	if (c >= 0xC2 && c <= 0xDF) {
		need = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		if (c == 0xE0)
			lo = 0xA0; /* overlong */
		else if (c == 0xED)
			hi = 0x9F; /* UTF-16 surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		if (c == 0xF0)
			lo = 0x90; /* overlong */
		else if (c == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		return 0;
	}
	if (n - i < need)
		return 0;
	if (s[i + 1] < lo || s[i + 1] > hi)
		return 0;
	if (need > 2 && (s[i + 2] & 0xC0) != 0x80)
		return 0;
	if (need > 3 && (s[i + 3] & 0xC0) != 0x80)
		return 0;
	return need;
}

/* s[*ip] is '"'. On success *ip is just past the closing quote; *escaped
 * tells whether the string held a backslash. One loop iteration per 16
 * plain bytes or per special byte (with SIMD128; s[n..n+16) must be
 * readable, see SLACK). */
static int scan_string(const uint8_t *s, size_t n, size_t *ip, int *escaped) {
	size_t i = *ip + 1;
	int esc = 0;
	for (;;) {
#ifdef __wasm_simd128__
		if (i >= n)
			return 0;
		uint32_t m = special_mask(s + i);
		if (!m) {
			i += 16;
			continue;
		}
		i += (size_t)__builtin_ctz(m);
#else
		while (i < n && plain[s[i]])
			i++;
#endif
		if (i >= n)
			return 0;
		uint8_t c = s[i];
		if (c == '"') {
			*ip = i + 1;
			if (escaped)
				*escaped = esc;
			return 1;
		}
		if (c == '\\') {
			esc = 1;
			if (n - i < 2)
				return 0;
			switch (s[i + 1]) {
			case '"': case '\\': case '/': case 'b':
			case 'f': case 'n': case 'r': case 't':
				i += 2;
				break;
			case 'u':
				if (n - i < 6 || !is_hex(s[i + 2]) || !is_hex(s[i + 3]) ||
				    !is_hex(s[i + 4]) || !is_hex(s[i + 5]))
					return 0;
				i += 6;
				break;
			default:
				return 0;
			}
			continue;
		}
		if (c < 0x20)
			return 0; /* raw control character */
		size_t k = utf8_seq(s, n, i);
		if (!k)
			return 0;
		i += k;
	}
}

static inline int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

static int scan_number(const uint8_t *s, size_t n, size_t *ip) {
	size_t i = *ip;
	if (i < n && s[i] == '-')
		i++;
	if (i >= n)
		return 0;
	if (s[i] == '0') {
		i++;
	} else if (s[i] >= '1' && s[i] <= '9') {
		while (i < n && is_digit(s[i]))
			i++;
	} else {
		return 0;
	}
	if (i < n && s[i] == '.') {
		i++;
		if (i >= n || !is_digit(s[i]))
			return 0;
		while (i < n && is_digit(s[i]))
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || !is_digit(s[i]))
			return 0;
		while (i < n && is_digit(s[i]))
			i++;
	}
	*ip = i;
	return 1;
}

/* Does s[i..i+len) spell lit (len <= 8)? Fixed-size copies compile to
 * plain loads, not to a call of memcmp. */
static inline int scan_literal(const uint8_t *s, size_t n, size_t *ip, const char *lit, size_t len) {
	size_t i = *ip;
	if (n - i < len)
		return 0;
	uint32_t a, b;
	memcpy(&a, s + i, 4);
	memcpy(&b, lit, 4);
	if (a != b || (len == 5 && s[i + 4] != (uint8_t)lit[4]))
		return 0;
	*ip = i + len;
	return 1;
}

/* After '{' and whitespace: a key, whitespace, ':'. */
static int scan_key_colon(const uint8_t *s, size_t n, size_t *ip) {
	size_t i = *ip;
	if (i >= n || s[i] != '"' || !scan_string(s, n, &i, NULL))
		return 0;
	i = skip_ws(s, n, i);
	if (i >= n || s[i] != ':')
		return 0;
	*ip = i + 1;
	return 1;
}

/* Scans one JSON value starting at *ip (leading whitespace allowed); on
 * success *ip is just past it. */
static int scan_value(const uint8_t *s, size_t n, size_t *ip) {
	/* '}' or ']': what closes each open container. Static, not on the
	 * (64 KiB) stack; the module runs one call at a time. */
	static uint8_t stack[MAX_DEPTH];
	int depth = 0;
	size_t i = *ip;
	for (;;) {
		/* A value starts here. */
		i = skip_ws(s, n, i);
		if (i >= n)
			return 0;
		switch (s[i]) {
		case '{':
			i = skip_ws(s, n, i + 1);
			if (depth == MAX_DEPTH)
				return 0; /* too deep, even if empty */
			if (i < n && s[i] == '}') {
				i++;
				break;
			}
			if (!scan_key_colon(s, n, &i))
				return 0;
			stack[depth++] = '}';
			continue;
		case '[':
			i = skip_ws(s, n, i + 1);
			if (depth == MAX_DEPTH)
				return 0;
			if (i < n && s[i] == ']') {
				i++;
				break;
			}
			stack[depth++] = ']';
			continue;
		case '"':
			if (!scan_string(s, n, &i, NULL))
				return 0;
			break;
		case 't':
			if (!scan_literal(s, n, &i, "true", 4))
				return 0;
			break;
		case 'f':
			if (!scan_literal(s, n, &i, "false", 5))
				return 0;
			break;
		case 'n':
			if (!scan_literal(s, n, &i, "null", 4))
				return 0;
			break;
		default:
			if (!scan_number(s, n, &i))
				return 0;
			break;
		}
		/* A value ended: close containers until one wants another value
		 * (not a nested loop: one iteration of the outer one per value). */
	value_done:
		if (depth == 0) {
			*ip = i;
			return 1;
		}
		i = skip_ws(s, n, i);
		if (i >= n)
			return 0;
		if (s[i] == ',') {
			i = skip_ws(s, n, i + 1);
			if (stack[depth - 1] == '}' && !scan_key_colon(s, n, &i))
				return 0;
			continue;
		}
		if (s[i] != stack[depth - 1])
			return 0;
		i++;
		depth--;
		goto value_done;
	}
}

/* A member's value: scalars directly, containers with scan_value. */
static inline int scan_member_value(const uint8_t *s, size_t n, size_t *ip) {
	size_t i = skip_ws(s, n, *ip);
	if (i >= n)
		return 0;
	int ok;
	switch (s[i]) {
	case '"': ok = scan_string(s, n, &i, NULL); break;
	case 't': ok = scan_literal(s, n, &i, "true", 4); break;
	case 'f': ok = scan_literal(s, n, &i, "false", 5); break;
	case 'n': ok = scan_literal(s, n, &i, "null", 4); break;
	case '{': case '[': ok = scan_value(s, n, &i); break;
	default: ok = scan_number(s, n, &i); break;
	}
	*ip = i;
	return ok;
}

/* Decoded key (raw bytes between the quotes at s[a..b), escapes in it)
 * equals want, an ASCII string of wl bytes? The key has been validated. */
static int escaped_key_is(const uint8_t *s, size_t a, size_t b, const char *want, size_t wl) {
	size_t w = 0;
	for (size_t i = a; i < b;) {
		unsigned c = s[i];
		if (c == '\\') {
			switch (s[i + 1]) {
			case 'b': c = '\b'; i += 2; break;
			case 'f': c = '\f'; i += 2; break;
			case 'n': c = '\n'; i += 2; break;
			case 'r': c = '\r'; i += 2; break;
			case 't': c = '\t'; i += 2; break;
			case 'u':
				c = (unsigned)(hex_val(s[i + 2]) << 12 | hex_val(s[i + 3]) << 8 |
				               hex_val(s[i + 4]) << 4 | hex_val(s[i + 5]));
				i += 6;
				break;
			default: c = s[i + 1]; i += 2; break; /* " \ / */
			}
		} else {
			i++;
		}
		if (w >= wl || c != (unsigned char)want[w])
			return 0; /* also any non-ASCII character: want is ASCII */
		w++;
	}
	return w == wl;
}

/* Is the key s[a..b) (between its quotes) "enriched" or "len"? Compared
 * with loads of fixed size, not with loops, unless it holds escapes. */
static int replaced_key(const uint8_t *s, size_t a, size_t b, int escaped) {
	if (escaped)
		return escaped_key_is(s, a, b, "enriched", 8) || escaped_key_is(s, a, b, "len", 3);
	if (b - a == 8) {
		uint64_t k, want;
		memcpy(&k, s + a, 8);
		memcpy(&want, "enriched", 8);
		return k == want;
	}
	return b - a == 3 && s[a] == 'l' && s[a + 1] == 'e' && s[a + 2] == 'n';
}

/* One top-level member of the object: [start, end) covers key to value. */
typedef struct {
	uint32_t start, end;
	uint8_t replaced; /* "enriched" or "len": dropped from the output */
} member;

static member *members;
static size_t members_cap;

typedef struct {
	size_t open, close; /* positions of the object's braces */
	size_t nmembers, nreplaced;
} object_info;

static void add_member(object_info *o, size_t start, size_t end, int replaced) {
	if (o->nmembers == members_cap) {
		size_t cap = members_cap ? members_cap * 2 : 64;
		member *m = realloc(members, cap * sizeof *m);
		if (!m)
			__builtin_trap();
		members = m;
		members_cap = cap;
	}
	members[o->nmembers].start = (uint32_t)start;
	members[o->nmembers].end = (uint32_t)end;
	members[o->nmembers].replaced = (uint8_t)replaced;
	o->nmembers++;
	o->nreplaced += replaced != 0;
}

/* Is s[0..n) exactly one JSON object, surrounded by optional whitespace?
 * Records its top-level members in members[]. */
static int scan_object(const uint8_t *s, size_t n, object_info *o) {
	if (n > UINT32_MAX)
		return 0;
	memset(o, 0, sizeof *o);
	size_t i = skip_ws(s, n, 0);
	if (i >= n || s[i] != '{')
		return 0;
	o->open = i;
	i = skip_ws(s, n, i + 1);
	if (i < n && s[i] == '}') {
		o->close = i;
	} else {
		for (;;) {
			size_t start = i;
			int escaped;
			if (i >= n || s[i] != '"' || !scan_string(s, n, &i, &escaped))
				return 0;
			int replaced = replaced_key(s, start + 1, i - 1, escaped);
			i = skip_ws(s, n, i);
			if (i >= n || s[i] != ':')
				return 0;
			i++;
			if (!scan_member_value(s, n, &i))
				return 0;
			add_member(o, start, i, replaced);
			i = skip_ws(s, n, i);
			if (i >= n)
				return 0;
			if (s[i] == '}') {
				o->close = i;
				break;
			}
			if (s[i] != ',')
				return 0;
			i = skip_ws(s, n, i + 1);
		}
	}
	return skip_ws(s, n, o->close + 1) == n;
}

/* Writes the enriched object for s[0..n) (scanned into *o). */
static void put_enriched(buf *b, const uint8_t *s, size_t n, const object_info *o) {
	size_t kept = o->nmembers - o->nreplaced;
	if (o->nreplaced == 0) {
		put_raw(b, s + o->open, o->close - o->open); /* "{ ... " */
	} else {
		put_u8(b, '{');
		int first = 1;
		for (size_t k = 0; k < o->nmembers; k++) {
			if (members[k].replaced)
				continue;
			if (!first)
				put_u8(b, ',');
			first = 0;
			put_raw(b, s + members[k].start, members[k].end - members[k].start);
		}
	}
	put_str(b, kept ? ",\"enriched\":true,\"len\":" : "\"enriched\":true,\"len\":");
	put_dec(b, n);
	put_u8(b, '}');
}

/* ------------------------------------------------------------------------
 * Batch envelope reader (little-endian, bounds-checked).
 */

typedef struct {
	const uint8_t *p;
	size_t n, i;
	int ok;
} reader;

static int need(reader *r, size_t k) {
	if (!r->ok || r->n - r->i < k) {
		r->ok = 0;
		return 0;
	}
	return 1;
}

static uint8_t get_u8(reader *r) {
	if (!need(r, 1))
		return 0;
	return r->p[r->i++];
}

static uint32_t get_u32(reader *r) {
	if (!need(r, 4))
		return 0;
	const uint8_t *p = r->p + r->i;
	r->i += 4;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void skip_bytes(reader *r, size_t k) {
	if (need(r, k))
		r->i += k;
}

/* str and bytes: u32 length, then the bytes. */
static const uint8_t *get_bytes(reader *r, size_t *len) {
	size_t k = get_u32(r);
	*len = 0;
	if (!need(r, k))
		return NULL;
	const uint8_t *p = r->p + r->i;
	r->i += k;
	*len = k;
	return p;
}

static void skip_str(reader *r) {
	size_t k;
	(void)get_bytes(r, &k);
}

/* ------------------------------------------------------------------------
 * Exports.
 */

static buf in;   /* what kinesin_alloc hands out */
static buf copy; /* the input, if the host put it elsewhere */
static buf out;  /* the last answer */

static void put_error(const char *type, const char *message) {
	/* type and message are constants without characters to escape */
	out.len = 0;
	put_u8(&out, 1);
	put_str(&out, "{\"errorMessage\":\"");
	put_str(&out, message);
	put_str(&out, "\",\"errorType\":\"");
	put_str(&out, type);
	put_str(&out, "\"}");
}

static void handle_event(const uint8_t *s, size_t n) {
	object_info o;
	if (!scan_object(s, n, &o)) {
		put_error("InvalidEvent", "the event is not a well-formed JSON object");
		return;
	}
	put_u8(&out, 0);
	put_enriched(&out, s, n, &o);
}

static void handle_batch(const uint8_t *s, size_t n) {
	reader r = {s, n, 0, 1};
	if (get_u32(&r) != 1 || !r.ok) {
		put_error("InvalidEnvelope", "unsupported or truncated batch envelope");
		return;
	}
	skip_str(&r);      /* functionName */
	skip_str(&r);      /* shardId */
	skip_str(&r);      /* streamArn */
	skip_bytes(&r, 4); /* attempt */
	skip_bytes(&r, 8); /* deadline */
	uint8_t has_window = get_u8(&r);
	if (has_window > 1)
		r.ok = 0;
	if (has_window == 1)
		skip_bytes(&r, 16); /* windowStart, windowEnd */
	skip_str(&r);           /* state: this function keeps none */
	uint32_t count = get_u32(&r);
	if (!r.ok) {
		put_error("InvalidEnvelope", "truncated batch envelope");
		return;
	}

	put_u8(&out, 0);
	put_u32(&out, count);
	for (uint32_t k = 0; k < count; k++) {
		skip_str(&r);      /* sequenceNumber */
		skip_str(&r);      /* partitionKey */
		skip_bytes(&r, 8); /* arrival */
		skip_str(&r);      /* recordId */
		size_t len;
		const uint8_t *data = get_bytes(&r, &len);
		if (!r.ok) {
			put_error("InvalidEnvelope", "truncated batch envelope");
			return;
		}
		object_info o;
		if (scan_object(data, len, &o)) {
			put_u8(&out, REC_OK);
			put_u8(&out, 1); /* hasData */
			put_u32(&out, 0); /* length, patched below */
			size_t at = out.len;
			put_enriched(&out, data, len, &o);
			put_u32_at(out.p + at - 4, (uint32_t)(out.len - at));
		} else {
			put_u8(&out, REC_PROCESSING_FAILED);
			put_u8(&out, 0); /* hasData */
		}
		put_u32(&out, 0); /* nKeys */
	}
	/* Bytes after the last record are ignored (room for later fields). */
	put_u32(&out, 0); /* nFailed */
	put_u8(&out, 0);  /* hasState */
}

EXPORT("kinesin_abi_version")
int32_t kinesin_abi_version(void) { return 1; }

EXPORT("kinesin_alloc")
uint8_t *kinesin_alloc(int32_t size) {
	if (size < 0)
		__builtin_trap();
	in.len = 0;
	buf_reserve(&in, (size_t)size + SLACK);
	return in.p;
}

/* The input, followed by SLACK readable bytes: where kinesin_alloc put it,
 * or a copy if the host wrote it anywhere else. */
static const uint8_t *with_slack(const uint8_t *ptr, size_t len) {
	uintptr_t p = (uintptr_t)ptr, lo = (uintptr_t)in.p;
	if (in.p && p >= lo && len + SLACK <= in.cap && p - lo <= in.cap - len - SLACK)
		return ptr;
	copy.len = 0;
	buf_reserve(&copy, len + SLACK);
	memcpy(copy.p, ptr, len);
	return copy.p;
}

EXPORT("kinesin_invoke")
int64_t kinesin_invoke(int32_t kind, const uint8_t *ptr, int32_t len) {
#ifndef __wasm_simd128__
	if (!tables_ready)
		init_tables();
#endif
	out.len = 0;
	if (len < 0)
		put_error("InvalidInput", "negative input length");
	else if (kind == KIND_EVENT)
		handle_event(with_slack(ptr, (size_t)len), (size_t)len);
	else if (kind == KIND_BATCH)
		handle_batch(with_slack(ptr, (size_t)len), (size_t)len);
	else
		put_error("UnsupportedKind", "this function handles input kinds 1 and 2 only");
	return (int64_t)((uint64_t)(uintptr_t)out.p << 32 | (uint64_t)out.len);
}
