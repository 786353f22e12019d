/* presence_text.c — names of states, activities and formats; note clean-up; XML escaping. */
#include "presence.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

static const char *const state_names[] = {
    [PRESENCE_UNKNOWN] = "unknown",
    [PRESENCE_AVAILABLE] = "available",
    [PRESENCE_AVAILABLE_IDLE] = "available_idle",
    [PRESENCE_BUSY] = "busy",
    [PRESENCE_BUSY_IDLE] = "busy_idle",
    [PRESENCE_DND] = "dnd",
    [PRESENCE_BRB] = "brb",
    [PRESENCE_AWAY] = "away",
    [PRESENCE_XA] = "xa",
    [PRESENCE_OFFLINE] = "offline",
};

static const char *const activity_names[] = {
    [PRESENCE_ACT_NONE] = "",
    [PRESENCE_ACT_ON_THE_PHONE] = "on-the-phone",
    [PRESENCE_ACT_IN_A_CONFERENCE] = "in-a-conference",
    [PRESENCE_ACT_IN_A_MEETING] = "in-a-meeting",
    [PRESENCE_ACT_IN_PRESENTATION] = "in-presentation",
    [PRESENCE_ACT_OUT_OF_OFFICE] = "out-of-office",
    [PRESENCE_ACT_URGENT_INTERRUPTIONS_ONLY] = "urgent-interruptions-only",
    [PRESENCE_ACT_OUT_TO_LUNCH] = "out-to-lunch",
};

static const char *const format_names[] = {
    [PRESENCE_FMT_AUTO] = "auto",
    [PRESENCE_FMT_PIDF] = "pidf",
    [PRESENCE_FMT_MSRTC] = "msrtc",
    [PRESENCE_FMT_CATEGORIES] = "categories",
    [PRESENCE_FMT_XPIDF] = "xpidf",
    [PRESENCE_FMT_XMPP] = "xmpp",
    [PRESENCE_FMT_MULTIPART] = "multipart",
};

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

const char *presence_state_name(enum presence_state state)
{
    return (size_t)state < N_OF(state_names) ? state_names[state] : "unknown";
}

const char *presence_activity_name(enum presence_activity act)
{
    return (size_t)act < N_OF(activity_names) ? activity_names[act] : "";
}

const char *presence_format_name(enum presence_doc_format fmt)
{
    return (size_t)fmt < N_OF(format_names) ? format_names[fmt] : "auto";
}

int presence_format_parse(const char *name, enum presence_doc_format *out)
{
    for (size_t i = 0; i < N_OF(format_names); i++) {
        if (strcasecmp(name, format_names[i]) == 0) {
            *out = (enum presence_doc_format)i;
            return 0;
        }
    }
    return EINVAL;
}

/* Length of the UTF-8 sequence starting with byte `c`; 0 for a continuation or invalid byte. */
static size_t utf8_seq_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    if (c >= 0xE0 && c <= 0xEF)
        return 3;
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    return 0;
}

void presence_text_copy(char *dst, const char *src, size_t len)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t i = 0, n = 0;

    while (i < len) {
        size_t l = utf8_seq_len(s[i]);

        if (l == 0 || i + l > len) {       /* stray or cut byte: drop it */
            i++;
            continue;
        }
        if (l == 1 && (s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) {
            /* (sipfed) a line break or tab in a note becomes one space, never two */
            if (n > 0 && dst[n - 1] != ' ' && n < PRESENCE_TEXT_MAX)
                dst[n++] = ' ';
            i++;
            continue;
        }
        if ((l == 1 && (s[i] < 0x20 || s[i] == 0x7F)) ||
            (l == 2 && s[i] == 0xC2 && s[i + 1] < 0xA0)) {     /* C0, DEL, C1 controls */
            i += l;
            continue;
        }
        if (n + l > PRESENCE_TEXT_MAX)      /* cut on a character boundary */
            break;
        if (!(l == 1 && s[i] == ' ' && n == 0))   /* no leading space */
            memcpy(dst + n, s + i, l), n += l;
        i += l;
    }
    while (n > 0 && dst[n - 1] == ' ')
        n--;
    dst[n] = '\0';
}

int presence_xml_escape(char *dst, size_t size, const char *src)
{
    size_t n = 0;

    for (; *src; src++) {
        const char *rep;
        char one[2] = { *src, '\0' };

        switch (*src) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&apos;"; break;
        default: rep = one; break;
        }
        size_t l = strlen(rep);
        if (n + l >= size)
            return -1;
        memcpy(dst + n, rep, l);
        n += l;
    }
    if (n >= size)
        return -1;
    dst[n] = '\0';
    return (int)n;
}
