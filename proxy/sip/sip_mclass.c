/* sip_mclass.c — the agent's SIP message class: sofia's, with fallback parsers for the request
 * line and CSeq, and the sender and reason of a first line nobody can read (see sip_mclass.h). */
#include "sip_mclass.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/msg_addr.h>
#include <sofia-sip/msg_mclass.h>
#include <sofia-sip/msg_parser.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_parser.h>
#include <sofia-sip/su.h>

#include "log.h"
#include "sofialog.h"

struct sip_mclass {
    msg_mclass_t *mc;                 /* a clone of sofia's SIP class (malloc'd by sofia) */
    struct msg_hclass_s request[1];          /* sofia's request-line class with request_line_d() */
    struct msg_hclass_s status[1];           /* sofia's status-line class with status_line_d() */
    struct msg_hclass_s cseq[1];             /* sofia's CSeq class with cseq_d() */
};

/* RFC 3261 §25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" /
 * "~"). */
static bool is_token(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alnum && !strchr("-.!%*_+`'~", c))
            return false;
    }
    return true;
}

/* A method sofia could not name: its code when it has one, else an unknown method. */
static sip_method_t method_code(const char *name)
{
    sip_method_t m = sip_method_code(name);
    return m < 0 ? sip_method_unknown : m;
}

void sip_msg_sender(msg_t *msg, char *buf, size_t size)
{
    su_addrinfo_t *ai = msg ? msg_addrinfo(msg) : NULL;
    su_sockaddr_t const *su = ai ? (su_sockaddr_t const *)ai->ai_addr : NULL;
    char ip[64];
    if (!su || (su->su_family != AF_INET && su->su_family != AF_INET6) ||
        !su_inet_ntop(su->su_family, SU_ADDR(su), ip, sizeof ip)) {
        snprintf(buf, size, "-");
        return;
    }
    snprintf(buf, size, su->su_family == AF_INET6 ? "[%s]:%u/%s" : "%s:%u/%s", ip,
             ntohs(su->su_port), ai->ai_protocol == IPPROTO_UDP ? "udp" : "tcp");
}

/* The last first line the fallback could not read, until unreadable.c takes it for its episode
 * line (the message then reaches nta's garbage path, on the same event-loop turn). Process-wide
 * because sofia's parser callback has nothing of ours but the message. */
static struct {
    const void *msg;                  /* the message it was read from; NULL: none pending */
    const char *why;
    char line[SOFIALOG_LINE];
} dropped;

/* sofia parses a first line only in msg_extract(), with the message itself as memory home
 * (msg_home() is a cast), so the home is the message whose sender we name. One line per
 * message only at debug: a sender could fill the log at warn; unreadable.c logs the episode. */
static void first_line_dropped(su_home_t *home, const char *line, const char *why)
{
    dropped.msg = home;
    dropped.why = why;
    sofialog_clean(dropped.line, sizeof dropped.line, line);
    if (log_enabled(LOG_LVL_DEBUG)) {
        char from[96];
        sip_msg_sender((msg_t *)home, from, sizeof from);
        log_debug("sip", "event=dropped src=%s request=\"%s\" reason=\"%s\"", from,
                  dropped.line, why);
    }
}

bool sip_first_line_dropped_take(const msg_t *msg, char *line, size_t size, const char **why)
{
    if (!msg || dropped.msg != (const void *)msg)
        return false;
    dropped.msg = NULL;
    snprintf(line, size, "%s", dropped.line);
    *why = dropped.why;
    return true;
}

/* Run sofia's own parser `d` on `s`: 0 when it took the text. Otherwise -1 with `*text` an
 * untouched copy of it (sofia's parsers write into `s`) for a fallback, NULL when out of memory. */
static issize_t sofia_parse(msg_parse_f *d, su_home_t *home, msg_header_t *h, char *s,
                            isize_t slen, char **text)
{
    *text = su_strndup(home, s, slen);
    if (*text && d(home, h, s, slen) == 0) {
        su_free(home, *text);
        *text = NULL;
        return 0;
    }
    return -1;
}

static bool is_lws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* sofia 1.12's extract_first() (msg_parser.c) skips the whitespace before a first line (RFC
 * 3261 §7.5: ignore CRLFs before the start-line; RFC 5626 §4.4.1: a CRLF keep-alive, read in the
 * same segment as the message after it) but, with MSG_DO_EXTRACT_COPY (the agent's flags),
 * copies the line for the parser from *before* the whitespace: the parser gets the whitespace
 * and a line cut short by as many bytes ("\r\nMESSAGE sip:a@b SIP/2."). The message then failed
 * as garbage and, on TCP/TLS, sofia stopped reading the connection and closed it. The header
 * still points at the received bytes (sh_data: the whitespace, the line, its CRLF), so the line
 * is taken again from there, and the whitespace is left out of what is forwarded. Only that
 * exact pattern (the copy starts with whitespace and equals the received bytes) is touched. */
static void first_line_unskew(msg_header_t *h, char *s, isize_t slen)
{
    const char *raw = h->sh_data;
    size_t k = 0;
    if (!raw || slen == 0 || !is_lws(s[0]) || raw == s || memcmp(raw, s, slen) != 0)
        return;
    while (k < h->sh_len && is_lws(raw[k]))
        k++;
    if (k == 0 || k + slen > h->sh_len)
        return;
    memcpy(s, raw + k, slen);
    s[slen] = '\0';
    h->sh_data = raw + k;
    h->sh_len -= k;
}

/* sofia's request-line parser; where it fails, RFC 3261 §25.1's Request-Line read with a token
 * method of any spelling and a Request-URI that may be marked invalid. */
static issize_t request_line_d(su_home_t *home, msg_header_t *h, char *s, isize_t slen)
{
    char *line;
    first_line_unskew(h, s, slen);
    if (sofia_parse(sip_request_d, home, h, s, slen, &line) == 0)
        return 0;
    if (!line)
        return -1;
    sip_request_t *rq = (sip_request_t *)h;
    char *work = su_strdup(home, line), *method = work, *uri = NULL, *version = NULL;
    memset(rq->rq_url, 0, sizeof rq->rq_url);
    rq->rq_version = NULL;
    if (!work || msg_firstline_d(work, &uri, &version) < 0 || !uri || !version ||
        sip_version_d(&version, &rq->rq_version) < 0 || *version) {
        first_line_dropped(home, line, "not a SIP request or response line: nothing to answer");
        return -1;
    }
    if (!is_token(method)) {
        first_line_dropped(home, line, "the method is not a token (RFC 3261 section 25.1): "
                                       "nothing to answer");
        return -1;
    }
    rq->rq_method = method_code(method);
    rq->rq_method_name = method;
    if (url_d(rq->rq_url, uri) < 0) {
        /* Marked as a URI of no scheme and no host, which url_d() never yields; not as
         * url_invalid, which nta's sanity check would answer with a bare 400 and a log line
         * blaming the mandatory headers. */
        memset(rq->rq_url, 0, sizeof rq->rq_url);
        rq->rq_url->url_type = url_unknown;
    }
    su_free(home, line);
    return 0;
}

/* sofia's status-line parser; a line it cannot read is logged with its sender. */
static issize_t status_line_d(su_home_t *home, msg_header_t *h, char *s, isize_t slen)
{
    char *line;
    first_line_unskew(h, s, slen);
    if (sofia_parse(sip_status_d, home, h, s, slen, &line) == 0)
        return 0;
    if (line)
        first_line_dropped(home, line, "not a SIP request or response line: nothing to answer");
    return -1;
}

/* sofia's CSeq parser; where it fails, `1*DIGIT LWS Method` with a token method sofia refuses. */
static issize_t cseq_d(su_home_t *home, msg_header_t *h, char *s, isize_t slen)
{
    char *work;
    if (sofia_parse(sip_cseq_d, home, h, s, slen, &work) == 0)
        return 0;
    if (!work)
        return -1;
    sip_cseq_t *cs = (sip_cseq_t *)h;
    char *p = work;
    if (msg_uint32_d(&p, &cs->cs_seq) < 0)
        return -1;
    p += strspn(p, " \t\r\n");
    size_t n = strcspn(p, " \t\r\n");
    if (p[n + strspn(p + n, " \t\r\n")] != '\0')
        return -1;
    p[n] = '\0';
    if (!is_token(p))
        return -1;
    cs->cs_method = method_code(p);
    cs->cs_method_name = p;
    return 0;
}

/* Put `ours` (a copy of `theirs` with another parser) in the slot the parser finds by name, and
 * `theirs` again after it: msg_hclass_offset() finds a header by its class pointer, so headers
 * that sofia or sipfed create with sofia's class (SIPTAG_CSEQ...) must still have a place. */
static int swap_named_class(msg_mclass_t *mc, msg_hclass_t *theirs, msg_hclass_t *ours)
{
    for (int j = 0; j < mc->mc_hash_size; j++) {
        if (mc->mc_hash[j].hr_class != theirs)
            continue;
        msg_href_t again = mc->mc_hash[j];
        mc->mc_hash[j].hr_class = ours;
        return msg_mclass_insert(mc, &again) < 0 ? -1 : 0;
    }
    return -1;
}

struct sip_mclass *sip_mclass_create(void)
{
    struct sip_mclass *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->mc = msg_mclass_clone(sip_default_mclass(), 0, msg_mclass_copy);
    if (!m->mc) {
        free(m);
        return NULL;
    }
    m->request[0] = *m->mc->mc_request->hr_class;
    m->request->hc_parse = request_line_d;
    m->mc->mc_request->hr_class = m->request;
    m->status[0] = *m->mc->mc_status->hr_class;
    m->status->hc_parse = status_line_d;
    m->mc->mc_status->hr_class = m->status;
    m->cseq[0] = *sip_cseq_class;
    m->cseq->hc_parse = cseq_d;
    if (swap_named_class(m->mc, sip_cseq_class, m->cseq) != 0) {
        sip_mclass_destroy(m);
        return NULL;
    }
    return m;
}

void sip_mclass_destroy(struct sip_mclass *m)
{
    if (!m)
        return;
    free(m->mc);
    free(m);
}

msg_mclass_t const *sip_mclass_get(const struct sip_mclass *m)
{
    return m->mc;
}

bool sip_request_uri_is_bad(const sip_t *sip)
{
    const url_t *u = sip && sip->sip_request ? sip->sip_request->rq_url : NULL;
    return u && u->url_type == url_unknown && !u->url_scheme && !u->url_host;
}
