/*
 * openloop: an open-model HTTP/1.1 load driver for bench/overload_cold.py.
 *
 * The Python driver in that bench costs ~45 us of CPU per request; at 10x the service's cold
 * capacity (~12,500 requests/s) it took more than half of the core it shares with HAProxy, and
 * its own lag (and HAProxy's wait for that core) became part of every latency it measured.
 * The load generators made for this (wrk2, vegeta) are not in this machine's registries, so
 * this is the smallest driver that measures the same way at a few microseconds per request.
 *
 * What it does, one thread, epoll:
 *   - phase 0 is a closed loop (N connections, each sending again when answered) whose 200s
 *     per second are the peak; every later phase is an open model at factor x peak requests/s;
 *   - arrivals are scheduled on a clock; each latency is measured from its scheduled time (no
 *     coordinated omission), and how late each request was sent is recorded too;
 *   - a keep-alive connection per request in flight, opened as needed up to a bound (a request
 *     due with every connection busy and the bound reached is counted as not sent);
 *   - just enough HTTP to time GETs honestly: the status, Content-Length, Connection: close.
 *
 * Usage: openloop PORT REQUESTS_FILE OUT_FILE MAX_CONNECTIONS PLAN
 *   REQUESTS_FILE: one request target per line ("/v1/predict?home=...");
 *   PLAN: "closed:16:6,open:0.5:5,open:3:10,..." (kind:connections-or-factor:seconds).
 * It prints "phase <i> <rate>" to stdout as each phase starts, "peak <goodput>" after phase 0,
 * "end" when the last phase is over;
 * OUT_FILE gets, per phase, "P <i> <rate> <seconds> <not_sent> <connections_peak> <cores>"
 * (cores: this driver's CPU seconds per second of the phase, its drain included) and per
 * answer "S <i> <at> <latency> <status> <send_lag>" (seconds; status 0: no answer).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PHASES 16
#define TAIL " HTTP/1.1\r\nHost: bench\r\nX-Role: production\r\nX-User-Id: bench\r\n\r\n"

enum { CONNECTING, IDLE, BUSY };

typedef struct Conn {
    int fd, state;
    double scheduled, lag;
    int phase;
    char *buf;
    size_t len, cap;
    long need; /* bytes of the whole answer, -1 until its head is read */
    int status, close_after;
    const char *pending; /* request to send once connected */
    size_t pending_len;
} Conn;

typedef struct {
    int closed, conns;
    double factor, seconds, rate;
    long not_sent, conns_peak;
    double cores; /* this driver's CPU seconds per second of the phase */
} Phase;

typedef struct {
    int phase, status;
    double at, latency, lag;
} Sample;

static double phase_start[MAX_PHASES];
static Sample *samples;
static size_t n_samples, cap_samples;
static Conn **idle;
static long n_idle, n_open, max_conns, in_flight;
static int epfd, port;
static char **reqs;
static size_t *req_len, n_reqs, next_req;
static Phase phases[MAX_PHASES];
static int n_phases, cur;

static double cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
           + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void record(Conn *c, int status) {
    if (n_samples == cap_samples) {
        cap_samples = cap_samples ? cap_samples * 2 : 1 << 16;
        samples = realloc(samples, cap_samples * sizeof *samples);
        if (!samples) { perror("realloc"); exit(1); }
    }
    double t = now();
    samples[n_samples++] = (Sample){c->phase, status, t - phase_start[c->phase],
                                    t - c->scheduled, c->lag};
    in_flight--;
}

static void drop(Conn *c) {
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    if (c->state == IDLE)
        for (long i = 0; i < n_idle; i++)
            if (idle[i] == c) { idle[i] = idle[--n_idle]; break; }
    free(c->buf);
    free(c);
    n_open--;
}

static void next_request(const char **req, size_t *len) {
    if (next_req == n_reqs) { fprintf(stderr, "openloop: out of requests\n"); exit(1); }
    *req = reqs[next_req];
    *len = req_len[next_req++];
}

static int write_all(Conn *c, const char *req, size_t len) {
    ssize_t n = send(c->fd, req, len, MSG_NOSIGNAL);
    return n == (ssize_t)len; /* a few hundred bytes into an empty socket buffer */
}

/* Send the next request, scheduled at `scheduled`: on an idle connection, or a new one. */
static int issue(double scheduled, double lag) {
    const char *req;
    size_t len;
    Conn *c;
    if (n_idle) {
        c = idle[--n_idle];
    } else {
        if (n_open >= max_conns) return 0;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (fd < 0) return 0;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        c = calloc(1, sizeof *c);
        c->fd = fd;
        c->cap = 4096;
        c->buf = malloc(c->cap);
        n_open++;
        if (n_open > phases[cur].conns_peak) phases[cur].conns_peak = n_open;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.ptr = c};
        epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
        c->state = CONNECTING;
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) {
            c->scheduled = scheduled; c->lag = lag; c->phase = cur;
            in_flight++;
            record(c, 0);
            drop(c);
            return 1;
        }
    }
    next_request(&req, &len);
    c->scheduled = scheduled;
    c->lag = lag;
    c->phase = cur;
    c->len = 0;
    c->need = -1;
    in_flight++;
    if (c->state == CONNECTING) {
        c->pending = req;
        c->pending_len = len;
        return 1;
    }
    c->state = BUSY;
    if (!write_all(c, req, len)) { record(c, 0); drop(c); }
    return 1;
}

static void answered(Conn *c) {
    int status = c->status, close_after = c->close_after;
    record(c, status);
    if (close_after) {
        drop(c);
    } else {
        c->state = IDLE;
        idle[n_idle++] = c;
    }
}

static void parse(Conn *c) {
    if (c->need < 0) {
        char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
        if (!end) return;
        size_t head = (size_t)(end - c->buf);
        c->status = c->len > 12 ? atoi(c->buf + 9) : 0;
        long length = 0;
        c->close_after = 0;
        for (char *line = memmem(c->buf, head, "\r\n", 2); line && line < end;
             line = memmem(line + 2, (size_t)(end - line), "\r\n", 2)) {
            char *field = line + 2;
            if (!strncasecmp(field, "content-length:", 15)) length = atol(field + 15);
            else if (!strncasecmp(field, "connection:", 11)) {
                char *v = field + 11;
                while (*v == ' ') v++;
                if (!strncasecmp(v, "close", 5)) c->close_after = 1;
            }
        }
        c->need = (long)head + 4 + length;
    }
    if ((long)c->len >= c->need) answered(c);
}

static void on_event(Conn *c, unsigned events) {
    if (c->state == CONNECTING) {
        int err = 0;
        socklen_t sl = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &sl);
        if (err || (events & (EPOLLERR | EPOLLHUP))) { record(c, 0); drop(c); return; }
        if (!(events & EPOLLOUT)) return;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
        epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
        c->state = BUSY;
        if (!write_all(c, c->pending, c->pending_len)) { record(c, 0); drop(c); }
        return;
    }
    for (;;) {
        if (c->cap - c->len < 4096) {
            c->cap *= 2;
            c->buf = realloc(c->buf, c->cap);
        }
        ssize_t n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
        if (n > 0) {
            if (c->state != BUSY) { drop(c); return; } /* bytes nobody asked for */
            c->len += (size_t)n;
            parse(c);
            if (c->state != BUSY) return;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        /* closed (or reset): a request in flight on it has no answer */
        if (c->state == BUSY) record(c, 0);
        drop(c);
        return;
    }
}

/* Wait for events at most `timeout_ns` (to the next arrival: a ms timeout would be late by up
 * to 1 ms, or spin). */
static void poll_once(long timeout_ns) {
    struct epoll_event evs[512];
    struct timespec ts = {timeout_ns / 1000000000L, timeout_ns % 1000000000L};
    int n = epoll_pwait2(epfd, evs, 512, &ts, NULL);
    for (int i = 0; i < n; i++) on_event(evs[i].data.ptr, evs[i].events);
}

static void run_phase(int i, double peak) {
    Phase *p = &phases[i];
    cur = i;
    p->rate = p->closed ? 0 : p->factor * peak;
    printf("phase %d %.1f\n", i, p->rate);
    fflush(stdout);
    double start = phase_start[i] = now(), cpu = cpu_seconds();
    p->conns_peak = n_open;
    if (p->closed) {
        /* each of `conns` users sends again as soon as it is answered (or has failed) */
        while (now() - start < p->seconds) {
            while (in_flight < p->conns) issue(now(), 0.0);
            poll_once(1000000);
        }
    } else {
        double interval = 1.0 / p->rate;
        long k = 0;
        double t;
        while ((t = now()) - start < p->seconds) {
            double due = start + (double)k * interval;
            while (due <= t) { /* everything due (a late wake-up sends a burst) */
                if (!issue(due, t - due)) p->not_sent++;
                due = start + (double)++k * interval;
            }
            double wait = due - now();
            poll_once(wait > 0 ? (long)(wait * 1e9) : 0);
        }
    }
    double give_up = now() + 30.0; /* answers still owed to this phase */
    while (in_flight > 0 && now() < give_up) poll_once(5000000);
    p->cores = (cpu_seconds() - cpu) / (now() - start);
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: openloop PORT REQUESTS_FILE OUT_FILE MAX_CONNECTIONS PLAN\n");
        return 2;
    }
    port = atoi(argv[1]);
    max_conns = atol(argv[4]);
    FILE *f = fopen(argv[2], "r");
    if (!f) { perror(argv[2]); return 2; }
    size_t cap = 1 << 16;
    reqs = malloc(cap * sizeof *reqs);
    req_len = malloc(cap * sizeof *req_len);
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t got;
    while ((got = getline(&line, &line_cap, f)) > 0) {
        if (line[got - 1] == '\n') line[--got] = 0;
        if (!got) continue;
        if (n_reqs == cap) {
            cap *= 2;
            reqs = realloc(reqs, cap * sizeof *reqs);
            req_len = realloc(req_len, cap * sizeof *req_len);
        }
        size_t len = 4 + (size_t)got + strlen(TAIL);
        reqs[n_reqs] = malloc(len + 1);
        snprintf(reqs[n_reqs], len + 1, "GET %s%s", line, TAIL);
        req_len[n_reqs++] = len;
    }
    fclose(f);
    free(line);
    for (char *tok = strtok(argv[5], ","); tok && n_phases < MAX_PHASES; tok = strtok(NULL, ",")) {
        char kind[16];
        double a, s;
        if (sscanf(tok, "%15[^:]:%lf:%lf", kind, &a, &s) != 3) {
            fprintf(stderr, "openloop: bad phase %s\n", tok);
            return 2;
        }
        Phase *p = &phases[n_phases++];
        p->closed = !strcmp(kind, "closed");
        p->conns = (int)a;
        p->factor = a;
        p->seconds = s;
    }
    if (!n_phases || !phases[0].closed) {
        fprintf(stderr, "openloop: the plan starts with a closed phase (the peak)\n");
        return 2;
    }
    idle = malloc((size_t)max_conns * sizeof *idle);
    epfd = epoll_create1(0);
    double peak = 0;
    for (int i = 0; i < n_phases; i++) {
        run_phase(i, peak);
        if (i == 0) {
            long ok = 0;
            for (size_t k = 0; k < n_samples; k++) ok += samples[k].status == 200;
            peak = (double)ok / phases[0].seconds;
            printf("peak %.1f\n", peak);
            fflush(stdout);
        }
    }
    printf("end\n"); /* before the writing, so that a watcher's last reading finds us */
    fflush(stdout);
    FILE *out = fopen(argv[3], "w");
    if (!out) { perror(argv[3]); return 2; }
    for (int i = 0; i < n_phases; i++)
        fprintf(out, "P %d %.3f %.3f %ld %ld %.3f\n", i, phases[i].rate, phases[i].seconds,
                phases[i].not_sent, phases[i].conns_peak, phases[i].cores);
    for (size_t k = 0; k < n_samples; k++)
        fprintf(out, "S %d %.6f %.6f %d %.6f\n", samples[k].phase, samples[k].at,
                samples[k].latency, samples[k].status, samples[k].lag);
    fclose(out);
    return 0;
}
