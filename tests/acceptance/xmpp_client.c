/* xmpp_client.c — a scripted XMPP client (libstrophe) for the gateway scenarios: logs in,
 * sends initial presence, then runs the commands it reads on stdin, one per line:
 *   send JID TEXT        a chat message
 *   subscribe JID        a presence subscription request
 *   unsubscribe JID
 *   presence SHOW [TEXT] available|away|xa|dnd|chat|unavailable, with an optional status
 *   quit
 * and prints one line per event on stdout: `connected`, `message from=J type=T body=B`,
 * `error from=J condition=C`, `presence from=J type=T show=S status=S`, `subscribe from=J`
 * (subscription requests are approved at once). Usage: xmpp_client JID PASSWORD HOST PORT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <strophe.h>

struct client {
    xmpp_ctx_t *ctx;
    xmpp_conn_t *conn;
    int done;
    char line[4096];
    size_t len;
};

static const char *text_of(xmpp_stanza_t *st, const char *name, char *buf, size_t size)
{
    xmpp_stanza_t *el = xmpp_stanza_get_child_by_name(st, name);
    char *t = el ? xmpp_stanza_get_text(el) : NULL;
    snprintf(buf, size, "%s", t ? t : "");
    if (t)
        xmpp_free(xmpp_stanza_get_context(st), t);
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return buf;
}

static int on_message(xmpp_conn_t *conn, xmpp_stanza_t *st, void *arg)
{
    const char *type = xmpp_stanza_get_type(st);
    char body[2048];
    (void)conn, (void)arg;
    if (type && strcmp(type, "error") == 0) {
        xmpp_stanza_t *err = xmpp_stanza_get_child_by_name(st, "error");
        xmpp_stanza_t *cond = err ? xmpp_stanza_get_children(err) : NULL;
        while (cond && !xmpp_stanza_get_name(cond))
            cond = xmpp_stanza_get_next(cond);
        printf("error from=%s condition=%s\n", xmpp_stanza_get_from(st),
               cond ? xmpp_stanza_get_name(cond) : "-");
    } else {
        printf("message from=%s type=%s body=%s\n", xmpp_stanza_get_from(st),
               type ? type : "normal", text_of(st, "body", body, sizeof body));
    }
    fflush(stdout);
    return 1;
}

static void send_presence(struct client *c, const char *to, const char *type, const char *show,
                          const char *status)
{
    xmpp_stanza_t *p = xmpp_presence_new(c->ctx);
    if (to)
        xmpp_stanza_set_to(p, to);
    if (type)
        xmpp_stanza_set_type(p, type);
    const char *names[2] = { "show", "status" }, *vals[2] = { show, status };
    for (int i = 0; i < 2; i++) {
        if (!vals[i] || !*vals[i])
            continue;
        xmpp_stanza_t *el = xmpp_stanza_new(c->ctx), *t = xmpp_stanza_new(c->ctx);
        xmpp_stanza_set_name(el, names[i]);
        xmpp_stanza_set_text(t, vals[i]);
        xmpp_stanza_add_child(el, t);
        xmpp_stanza_add_child(p, el);
        xmpp_stanza_release(t);
        xmpp_stanza_release(el);
    }
    xmpp_send(c->conn, p);
    xmpp_stanza_release(p);
}

static int on_presence(xmpp_conn_t *conn, xmpp_stanza_t *st, void *arg)
{
    struct client *c = arg;
    const char *type = xmpp_stanza_get_type(st), *from = xmpp_stanza_get_from(st);
    char show[64], status[512];
    (void)conn;
    if (type && strcmp(type, "subscribe") == 0) {
        printf("subscribe from=%s\n", from);
        send_presence(c, from, "subscribed", NULL, NULL);
    } else {
        printf("presence from=%s type=%s show=%s status=%s\n", from, type ? type : "available",
               text_of(st, "show", show, sizeof show), text_of(st, "status", status,
                                                                sizeof status));
    }
    fflush(stdout);
    return 1;
}

static void on_conn(xmpp_conn_t *conn, xmpp_conn_event_t ev, int error,
                    xmpp_stream_error_t *se, void *arg)
{
    struct client *c = arg;
    (void)se;
    if (ev == XMPP_CONN_CONNECT) {
        xmpp_handler_add(conn, on_message, NULL, "message", NULL, c);
        xmpp_handler_add(conn, on_presence, NULL, "presence", NULL, c);
        send_presence(c, NULL, NULL, NULL, NULL);
        printf("connected\n");
    } else {
        printf("disconnected error=%d\n", error);
        c->done = 1;
    }
    fflush(stdout);
}

static void run_command(struct client *c, char *line)
{
    char *cmd = strtok(line, " ");
    char *arg = strtok(NULL, " ");
    char *rest = strtok(NULL, "");
    if (!cmd)
        return;
    if (strcmp(cmd, "quit") == 0) {
        xmpp_disconnect(c->conn);
    } else if (strcmp(cmd, "send") == 0 && arg && rest) {
        xmpp_stanza_t *m = xmpp_message_new(c->ctx, "chat", arg, NULL);
        char id[32];
        static unsigned n;
        snprintf(id, sizeof id, "m%u", ++n);
        xmpp_stanza_set_id(m, id);
        xmpp_message_set_body(m, rest);
        xmpp_send(c->conn, m);
        xmpp_stanza_release(m);
    } else if ((strcmp(cmd, "subscribe") == 0 || strcmp(cmd, "unsubscribe") == 0) && arg) {
        send_presence(c, arg, cmd, NULL, NULL);
    } else if (strcmp(cmd, "presence") == 0 && arg) {
        if (strcmp(arg, "unavailable") == 0)
            send_presence(c, NULL, "unavailable", NULL, rest);
        else
            send_presence(c, NULL, NULL, strcmp(arg, "available") == 0 ? NULL : arg, rest);
    } else {
        fprintf(stderr, "xmpp_client: bad command '%s'\n", cmd);
    }
}

static void read_commands(struct client *c)
{
    struct pollfd pfd = { .fd = 0, .events = POLLIN };
    while (poll(&pfd, 1, 0) > 0) {
        char ch;
        ssize_t n = read(0, &ch, 1);
        if (n <= 0)
            return;   /* EOF: keep running until killed */
        if (ch == '\n') {
            c->line[c->len] = '\0';
            run_command(c, c->line);
            c->len = 0;
        } else if (c->len + 1 < sizeof c->line) {
            c->line[c->len++] = ch;
        }
    }
}

int main(int argc, char **argv)
{
    struct client c = { 0 };
    if (argc != 5) {
        fprintf(stderr, "usage: xmpp_client JID PASSWORD HOST PORT\n");
        return 2;
    }
    xmpp_initialize();
    c.ctx = xmpp_ctx_new(NULL, NULL);
    c.conn = xmpp_conn_new(c.ctx);
    xmpp_conn_set_flags(c.conn, XMPP_CONN_FLAG_DISABLE_TLS);
    xmpp_conn_set_jid(c.conn, argv[1]);
    xmpp_conn_set_pass(c.conn, argv[2]);
    if (xmpp_connect_client(c.conn, argv[3], (unsigned short)atoi(argv[4]), on_conn, &c)
        != XMPP_EOK) {
        fprintf(stderr, "xmpp_client: cannot connect\n");
        return 1;
    }
    while (!c.done) {
        xmpp_run_once(c.ctx, 50);
        read_commands(&c);
    }
    xmpp_conn_release(c.conn);
    xmpp_ctx_free(c.ctx);
    xmpp_shutdown();
    return 0;
}
