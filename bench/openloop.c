/*
 * openloop: an open-model HTTP/1.1 load driver for bench/overload_cold.py.
 *
 * The Python driver in that bench costs ~50 us of CPU per request; at 10x the service's cold
 * capacity (~14,000 requests/s) it took ~0.7 of the core it shares with HAProxy, lagged
 * ~170 ms, and its own delay in sending and reading became part of every latency it measured.
 * The load generators made for this (wrk2, vegeta) are not in this machine's registries, so
 * this is the smallest driver that measures the same way, at ~14 us of CPU per request at
 * 10x (0.21 core at 14,823 requests/s; more per request at lower rates, ~27 us at 3x).
 *
 * What it does, one thread, epoll:
 *   - phase 0 is a closed loop (N connections, each sending again when answered) whose 200s
 *     per second are the peak; every later phase is an open model at factor x peak requests/s;
 *   - arrivals are scheduled on a clock; each latency is measured from its scheduled time (no
 *     coordinated omission), and how late each request was sent is recorded too;
 *   - a keep-alive connection per request in flight, opened as needed up to a bound (a request
 *     due with every connection busy and the bound reached is counted as not sent);
 *   - just enough HTTP to time GETs honestly: the status, Content-Length, Connection: close
 *     (an answer without Content-Length, or chunked, stops it with an error: it would be timed
 *     at its head);
 *   - phases follow each other on the clock, with no pause: what an overload leaves queued
 *     meets the next phase's arrivals, and is counted in the phase its request was scheduled in.
 *     After the last phase it waits up to 30 s for the answers still owed; a request unanswered
 *     by then is recorded as status 0.
 *
 * Usage: openloop PORT REQUESTS_FILE OUT_FILE MAX_CONNECTIONS PLAN
 *   REQUESTS_FILE: one request target per line ("/v1/predict?home=...");
 *   PLAN: "closed:16:6,open:0.5:5,open:3:10,..." (kind:connections-or-factor:seconds).
 * It prints "phase <i> <rate>" to stdout as each phase starts, "peak <goodput>" after phase 0,
 * "drain" when the last phase is over, "end" when the answers owed are in;
 * OUT_FILE gets, per phase, "P <i> <rate> <seconds> <not_sent> <connections_peak> <cores>
 * <offered>" (cores: this driver's CPU seconds per second of the phase; offered: the arrivals
 * scheduled, ceil(rate x seconds), each either sent or not sent) and per
 * answer "S <i> <at> <latency> <status> <send_lag>" (seconds; at: since the start of the phase
 * the request was scheduled in; status 0: no answer, or the connection could not be made).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
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
enum { SENT = 1, NOT_SENT = 0, FAILED = -1 }; /* what issue() did with an arrival */

typedef struct Conn {
    struct Conn *prev, *next; /* every open connection, to account for them at the end */
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
    long not_sent, conns_peak, offered;
    double cores; /* this driver's CPU seconds per second of the phase */
} Phase;

typedef struct {
    int phase, status;
    double at, latency, lag;
} Sample;

static double phase_start[MAX_PHASES];
static Sample *samples;
static size_t n_samples, cap_samples;
static Conn **idle, *all;
static long n_idle, n_open, max_conns, in_flight;
static int epfd, port;
static char **reqs;
static size_t *req_len, n_reqs, next_req;
static Phase phases[MAX_PHASES];
static int n_phases, cur;

static void *checked(void *p) {
    if (!p) { perror("openloop: out of memory"); exit(1); }
    return p;
}

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

/* One sample for an arrival of `phase` scheduled at `scheduled` and sent `lag` late. */
static void sample(int phase, double scheduled, double lag, int status) {
    if (n_samples == cap_samples) {
        cap_samples = cap_samples ? cap_samples * 2 : 1 << 16;
        samples = checked(realloc(samples, cap_samples * sizeof *samples));
    }
    double t = now();
    samples[n_samples++] = (Sample){phase, status, t - phase_start[phase], t - scheduled, lag};
}

static void record(Conn *c, int status) {
    sample(c->phase, c->scheduled, c->lag, status);
    in_flight--;
}

static void drop(Conn *c) {
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    if (c->state == IDLE)
        for (long i = 0; i < n_idle; i++)
            if (idle[i] == c) { idle[i] = idle[--n_idle]; break; }
    if (c->prev) c->prev->next = c->next; else all = c->next;
    if (c->next) c->next->prev = c->prev;
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

/* Send the next request, scheduled at `scheduled`: on an idle connection, or a new one.
 * NOT_SENT: every connection busy at the bound; FAILED: no connection could be made (its
 * sample is recorded, status 0). */
static int issue(double scheduled, double lag) {
    const char *req;
    size_t len;
    Conn *c;
    if (n_idle) {
        c = idle[--n_idle];
    } else {
        if (n_open >= max_conns) return NOT_SENT;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (fd < 0) { /* out of file descriptors, say: a failure, not the bound */
            sample(cur, scheduled, lag, 0);
            return FAILED;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) {
            close(fd);
            sample(cur, scheduled, lag, 0);
            return FAILED;
        }
        c = checked(calloc(1, sizeof *c));
        c->fd = fd;
        c->cap = 4096;
        c->buf = checked(malloc(c->cap));
        c->state = CONNECTING;
        c->next = all;
        if (all) all->prev = c;
        all = c;
        if (++n_open > phases[cur].conns_peak) phases[cur].conns_peak = n_open;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.ptr = c};
        epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
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
        return SENT;
    }
    c->state = BUSY;
    if (!write_all(c, req, len)) { record(c, 0); drop(c); }
    return SENT;
}

/* The answer is complete: record it; 0 if that closed (and freed) the connection. */
static int answered(Conn *c) {
    record(c, c->status);
    if (c->close_after) {
        drop(c);
        return 0;
    }
    c->state = IDLE;
    idle[n_idle++] = c;
    return 1;
}

/* Parse what has arrived; 0 if the connection is gone (closed after its answer). */
static int parse(Conn *c) {
    if (c->need < 0) {
        char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
        if (!end) return 1;
        size_t head = (size_t)(end - c->buf);
        c->status = c->len > 12 ? atoi(c->buf + 9) : 0;
        long length = -1;
        c->close_after = 0;
        for (char *line = memmem(c->buf, head, "\r\n", 2); line && line < end;
             line = memmem(line + 2, (size_t)(end - line), "\r\n", 2)) {
            char *field = line + 2;
            if (!strncasecmp(field, "content-length:", 15)) {
                length = atol(field + 15);
            } else if (!strncasecmp(field, "transfer-encoding:", 18)) {
                fprintf(stderr, "openloop: a chunked answer (status %d): not supported\n",
                        c->status);
                exit(1);
            } else if (!strncasecmp(field, "connection:", 11)) {
                char *v = field + 11;
                while (*v == ' ') v++;
                if (!strncasecmp(v, "close", 5)) c->close_after = 1;
            }
        }
        if (length < 0 && c->status != 204 && c->status != 304) {
            fprintf(stderr, "openloop: an answer without Content-Length (status %d)\n",
                    c->status);
            exit(1);
        }
        c->need = (long)head + 4 + (length < 0 ? 0 : length);
    }
    if ((long)c->len >= c->need) return answered(c);
    return 1;
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
            c->buf = checked(realloc(c->buf, c->cap));
        }
        ssize_t n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
        if (n > 0) {
            if (c->state != BUSY) { drop(c); return; } /* bytes nobody asked for */
            c->len += (size_t)n;
            if (!parse(c) || c->state != BUSY) return;
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

/* Phase `i` starts on the clock at `start` and ends `seconds` later, answers still owed to it
 * or not. */
static void run_phase(int i, double peak, double start) {
    Phase *p = &phases[i];
    cur = i;
    p->rate = p->closed ? 0 : p->factor * peak;
    printf("phase %d %.1f\n", i, p->rate);
    fflush(stdout);
    phase_start[i] = start;
    double cpu = cpu_seconds(), end = start + p->seconds;
    p->conns_peak = n_open;
    if (p->closed) {
        /* each of `conns` users sends again as soon as it is answered (a failed connection
         * is tried again after the next wait, not in a spin) */
        while (now() < end) {
            while (in_flight < p->conns && issue(now(), 0.0) == SENT) {}
            poll_once(1000000);
        }
        while (in_flight > 0 && now() < end + 30.0) poll_once(1000000); /* its last answers */
    } else {
        double interval = 1.0 / p->rate;
        p->offered = (long)ceil(p->rate * p->seconds);
        long k = 0;
        while (k < p->offered) {
            double t = now(), due = start + (double)k * interval;
            while (k < p->offered && due <= t) { /* all that is due (a late wake-up: a burst) */
                if (issue(due, t - due) == NOT_SENT) p->not_sent++;
                due = start + (double)++k * interval;
            }
            double wait = (k < p->offered ? due : end) - now();
            poll_once(wait > 0 ? (long)(wait * 1e9) : 0);
        }
        while (now() < end) {
            double wait = end - now();
            poll_once(wait > 0 ? (long)(wait * 1e9) : 0);
        }
    }
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
    reqs = checked(malloc(cap * sizeof *reqs));
    req_len = checked(malloc(cap * sizeof *req_len));
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t got;
    while ((got = getline(&line, &line_cap, f)) > 0) {
        if (line[got - 1] == '\n') line[--got] = 0;
        if (!got) continue;
        if (n_reqs == cap) {
            cap *= 2;
            reqs = checked(realloc(reqs, cap * sizeof *reqs));
            req_len = checked(realloc(req_len, cap * sizeof *req_len));
        }
        size_t len = 4 + (size_t)got + strlen(TAIL);
        reqs[n_reqs] = checked(malloc(len + 1));
        snprintf(reqs[n_reqs], len + 1, "GET %s%s", line, TAIL);
        req_len[n_reqs++] = len;
    }
    fclose(f);
    free(line);
    for (char *tok = strtok(argv[5], ","); tok; tok = strtok(NULL, ",")) {
        char kind[16];
        double a, s;
        if (n_phases == MAX_PHASES || sscanf(tok, "%15[^:]:%lf:%lf", kind, &a, &s) != 3
            || (strcmp(kind, "closed") && strcmp(kind, "open")) || a <= 0 || s <= 0) {
            fprintf(stderr, "openloop: bad phase %s (at most %d)\n", tok, MAX_PHASES);
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
    idle = checked(malloc((size_t)max_conns * sizeof *idle));
    epfd = epoll_create1(0);
    double peak = 0, start = now();
    int failed = 0;
    for (int i = 0; i < n_phases; i++) {
        run_phase(i, peak, start);
        start = phase_start[i] + phases[i].seconds;
        if (i == 0) {
            long ok = 0;
            for (size_t k = 0; k < n_samples; k++) ok += samples[k].status == 200;
            peak = (double)ok / phases[0].seconds;
            printf("peak %.1f\n", peak);
            fflush(stdout);
            if (ok == 0) { /* no peak, no open phases: write what was seen, and fail */
                fprintf(stderr, "openloop: no 200 in the closed loop\n");
                failed = 1;
                n_phases = 1;
            }
            start = now(); /* the open phases' clock starts after the closed loop's drain */
        }
    }
    printf("drain\n"); /* the last phase is over: what follows is only waiting */
    fflush(stdout);
    double give_up = now() + 30.0; /* answers still owed */
    while (in_flight > 0 && now() < give_up) poll_once(5000000);
    for (Conn *c = all; c; c = c->next) /* unanswered by then: no answer */
        if (c->state != IDLE) record(c, 0);
    printf("end\n"); /* before the writing, so that a watcher's last reading finds us */
    fflush(stdout);
    FILE *out = fopen(argv[3], "w");
    if (!out) { perror(argv[3]); return 2; }
    for (int i = 0; i < n_phases; i++)
        fprintf(out, "P %d %.3f %.3f %ld %ld %.3f %ld\n", i, phases[i].rate, phases[i].seconds,
                phases[i].not_sent, phases[i].conns_peak, phases[i].cores, phases[i].offered);
    for (size_t k = 0; k < n_samples; k++)
        fprintf(out, "S %d %.6f %.6f %d %.6f\n", samples[k].phase, samples[k].at,
                samples[k].latency, samples[k].status, samples[k].lag);
    fclose(out);
    return failed;
}
