/*
 * spandsp-t38: a far-end T.38 fax terminal for faxgate's interop tests.
 *
 * SpanDSP's t38_terminal (T.30 + T.4 + the T.38 IFP layer) driven over a UDP
 * socket, with the UDPTL framing of udptl.c. One call per run: `send` is the
 * calling terminal transmitting a TIFF, `recv` the answering terminal writing one.
 * At the end it prints a single JSON line with the outcome (see usage()).
 *
 * Time: t38_terminal has no clock of its own; it advances when it is handed a
 * number of 8 kHz samples. The loop hands it time-scale x the real time elapsed,
 * so a run can go faster than real time while both ends see consistent timers.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <tiffio.h>
#include <spandsp.h>

#include "udptl.h"

#define SAMPLE_RATE 8000
/* t38_terminal paces its output in 30 ms chunks; feeding it at most 10 ms at a
   time keeps that pacing when the clock is scaled up. */
#define SAMPLES_PER_STEP 80
#define TICK_MS 20
/* FIELD-NOTES: repeat copies of key packets 10-20 ms apart, so a burst of loss does not take them all. */
#define COPY_SPACING_MS 15
/* After phase E, keep running this long so the last frames (DCN) and their copies leave. */
#define PHASE_E_GRACE_SAMPLES (2 * SAMPLE_RATE)
/* A dying receiver waits at most this long for its last response frame to go out. */
#define DIE_WAIT_SAMPLES (6 * SAMPLE_RATE)
#define MAX_QUEUED_BEFORE_REMOTE 1024

enum exit_codes { EXIT_OK = 0, EXIT_FAX_FAILED = 1, EXIT_USAGE = 2, EXIT_DIED = 3 };

typedef struct {
    int sending;
    const char *tiff;
    const char *out;
    int local_port;
    char remote_host[256];
    int remote_port;
    int has_remote;
    int caller; /* -1: by mode (send calls, recv answers) */
    int ecm;
    int compressions;
    int resolutions;
    int redundancy;
    int use_fec;
    int fec_span;
    int fec_entries;
    int first_seq;
    double loss_pct;
    uint64_t seed;
    double time_scale;
    double timeout_s;
    const char *csid;
    int t38_version;
    int max_rate;
    int fill_bit_removal;
    int die_after_pages;
    long die_at_page_bytes;
    int log;
    int trace;
} options_t;

typedef struct {
    uint8_t data[UDPTL_MAX_PACKET];
    int len;
} datagram_t;

typedef struct {
    options_t opt;
    int fd;
    struct sockaddr_storage remote;
    socklen_t remote_len;
    int remote_known;

    t38_terminal_state_t *t38;
    t30_state_t *t30;
    t38_core_state_t *core;

    udptl_tx_t tx;
    udptl_rx_t rx;

    /* The latest IFP that SpanDSP asked to repeat, with copies still to send. */
    uint8_t copy_ifp[UDPTL_MAX_IFP];
    int copy_len;
    int copies_left;
    int64_t copy_due_us;

    datagram_t *pre_remote; /* built before the far end's address is known */
    int pre_remote_count;

    uint64_t rng;
    int64_t start_us;
    int64_t samples; /* SpanDSP time */

    int phase_e_seen;
    int completion_code;
    int64_t phase_e_at;
    int timed_out;

    long image_octets_sent;
    int tcf_next; /* image-rate data now is TCF, not page */
    int silenced;
    int die_armed;
    int64_t die_armed_at;
    int die_now;
    const char *aborted;

    long tx_ifps;
    long tx_packets;
    long tx_dropped;
} harness_t;

static harness_t *g_harness; /* for the SpanDSP log handler, which gets no user data */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: spandsp-t38 send --tiff FILE --local-port P --remote HOST:PORT [options]\n"
            "       spandsp-t38 recv --out FILE --local-port P [--remote HOST:PORT] [options]\n"
            "options:\n"
            "  --ecm | --no-ecm              ECM capability (default on)\n"
            "  --compression mh|mr|mmr|all   compressions offered/accepted (default all)\n"
            "  --fine | --standard           resolutions accepted (default all)\n"
            "  --redundancy N                secondary IFPs per UDPTL packet (default 3)\n"
            "  --fec SPAN:ENTRIES            send parity FEC instead of redundancy\n"
            "  --first-seq N                 first UDPTL sequence number (default 0)\n"
            "  --loss PCT --seed S           drop PCT %% of outgoing packets, seeded\n"
            "  --time-scale X                run SpanDSP's clock X times real time (default 1)\n"
            "  --timeout S                   give up after S seconds of SpanDSP time (default 300)\n"
            "  --csid ID                     local identity (TSI/CSI)\n"
            "  --t38-version N               T.38 version of the IFPs (default 0)\n"
            "  --max-rate BPS                14400|12000|9600|7200|4800|2400 (default 14400)\n"
            "  --fill-bit-removal            remove fill bits from non-ECM data\n"
            "  --caller | --answerer         override the role (send calls, recv answers)\n"
            "  --die-after-pages N           vanish without DCN after N pages sent/received\n"
            "  --die-at-page-bytes N         vanish once N octets of page image were sent\n"
            "  --log                         SpanDSP protocol log on stderr\n"
            "  --trace                       one stderr line per IFP sent and received\n"
            "output: one JSON line {ok, code, reason, pages, remoteCsid, ecm, bitRate, compression,\n"
            "        resolution, durationMs, badRows, timedOut, aborted, udptl{...}}\n");
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static double spandsp_ms(const harness_t *h)
{
    return (double) h->samples * 1000.0 / SAMPLE_RATE;
}

/* xorshift64*: the loss pattern must repeat exactly for a given seed. */
static double next_random(harness_t *h)
{
    uint64_t x = h->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    h->rng = x;
    return (double) ((x * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static void fail_usage(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "spandsp-t38: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    usage(stderr);
    exit(EXIT_USAGE);
}

static long parse_long(const char *name, const char *v, long lo, long hi)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || n < lo || n > hi)
        fail_usage("bad value for %s: %s", name, v);
    return n;
}

static double parse_double(const char *name, const char *v, double lo, double hi)
{
    char *end;
    double d = strtod(v, &end);
    if (*end || d < lo || d > hi)
        fail_usage("bad value for %s: %s", name, v);
    return d;
}

static void parse_host_port(const char *v, options_t *o)
{
    const char *colon = strrchr(v, ':');
    if (!colon || colon == v || (size_t) (colon - v) >= sizeof(o->remote_host))
        fail_usage("--remote wants HOST:PORT, got %s", v);
    memcpy(o->remote_host, v, (size_t) (colon - v));
    o->remote_host[colon - v] = '\0';
    o->remote_port = (int) parse_long("--remote port", colon + 1, 1, 65535);
    o->has_remote = 1;
}

static void parse_options(int argc, char **argv, options_t *o)
{
    memset(o, 0, sizeof(*o));
    o->caller = -1;
    o->ecm = 1;
    o->compressions = T30_SUPPORT_T4_1D_COMPRESSION | T30_SUPPORT_T4_2D_COMPRESSION | T30_SUPPORT_T6_COMPRESSION;
    o->resolutions = T30_SUPPORT_STANDARD_RESOLUTION | T30_SUPPORT_FINE_RESOLUTION | T30_SUPPORT_SUPERFINE_RESOLUTION;
    o->redundancy = 3;
    o->fec_span = 3;
    o->fec_entries = 3;
    o->seed = 1;
    o->time_scale = 1.0;
    o->timeout_s = 300.0;
    o->csid = NULL;
    o->max_rate = 14400;

    if (argc < 2)
        fail_usage("missing mode");
    if (strcmp(argv[1], "send") == 0)
        o->sending = 1;
    else if (strcmp(argv[1], "recv") == 0)
        o->sending = 0;
    else if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        exit(EXIT_OK);
    } else
        fail_usage("unknown mode %s", argv[1]);

    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = (i + 1 < argc) ? argv[i + 1] : NULL;
#define NEED_VALUE()                                       \
    do {                                                   \
        if (!v)                                            \
            fail_usage("%s needs a value", a);             \
        i++;                                               \
    } while (0)
        if (strcmp(a, "--tiff") == 0) {
            NEED_VALUE();
            o->tiff = v;
        } else if (strcmp(a, "--out") == 0) {
            NEED_VALUE();
            o->out = v;
        } else if (strcmp(a, "--local-port") == 0) {
            NEED_VALUE();
            o->local_port = (int) parse_long(a, v, 1, 65535);
        } else if (strcmp(a, "--remote") == 0) {
            NEED_VALUE();
            parse_host_port(v, o);
        } else if (strcmp(a, "--ecm") == 0) {
            o->ecm = 1;
        } else if (strcmp(a, "--no-ecm") == 0) {
            o->ecm = 0;
        } else if (strcmp(a, "--compression") == 0) {
            NEED_VALUE();
            /* T.4 1-D is mandatory in every DIS, so it is always offered. */
            if (strcmp(v, "mh") == 0)
                o->compressions = T30_SUPPORT_T4_1D_COMPRESSION;
            else if (strcmp(v, "mr") == 0)
                o->compressions = T30_SUPPORT_T4_1D_COMPRESSION | T30_SUPPORT_T4_2D_COMPRESSION;
            else if (strcmp(v, "mmr") == 0)
                o->compressions = T30_SUPPORT_T4_1D_COMPRESSION | T30_SUPPORT_T6_COMPRESSION;
            else if (strcmp(v, "all") == 0)
                o->compressions = T30_SUPPORT_T4_1D_COMPRESSION | T30_SUPPORT_T4_2D_COMPRESSION | T30_SUPPORT_T6_COMPRESSION;
            else
                fail_usage("--compression wants mh|mr|mmr|all, got %s", v);
        } else if (strcmp(a, "--fine") == 0) {
            o->resolutions = T30_SUPPORT_STANDARD_RESOLUTION | T30_SUPPORT_FINE_RESOLUTION;
        } else if (strcmp(a, "--standard") == 0) {
            o->resolutions = T30_SUPPORT_STANDARD_RESOLUTION;
        } else if (strcmp(a, "--redundancy") == 0) {
            NEED_VALUE();
            o->redundancy = (int) parse_long(a, v, 0, UDPTL_MAX_SECONDARIES);
        } else if (strcmp(a, "--fec") == 0) {
            NEED_VALUE();
            int span, entries;
            if (sscanf(v, "%d:%d", &span, &entries) != 2 || span < 1 || span > UDPTL_MAX_FEC_SPAN || entries < 1 ||
                entries > UDPTL_MAX_FEC_ENTRIES)
                fail_usage("--fec wants SPAN:ENTRIES (1..%d each), got %s", UDPTL_MAX_FEC_SPAN, v);
            o->use_fec = 1;
            o->fec_span = span;
            o->fec_entries = entries;
        } else if (strcmp(a, "--first-seq") == 0) {
            NEED_VALUE();
            o->first_seq = (int) parse_long(a, v, 0, 65535);
        } else if (strcmp(a, "--loss") == 0) {
            NEED_VALUE();
            o->loss_pct = parse_double(a, v, 0.0, 100.0);
        } else if (strcmp(a, "--seed") == 0) {
            NEED_VALUE();
            o->seed = (uint64_t) parse_long(a, v, 0, 0x7FFFFFFF);
        } else if (strcmp(a, "--time-scale") == 0) {
            NEED_VALUE();
            o->time_scale = parse_double(a, v, 0.01, 1000.0);
        } else if (strcmp(a, "--timeout") == 0) {
            NEED_VALUE();
            o->timeout_s = parse_double(a, v, 1.0, 86400.0);
        } else if (strcmp(a, "--csid") == 0) {
            NEED_VALUE();
            o->csid = v;
        } else if (strcmp(a, "--t38-version") == 0) {
            NEED_VALUE();
            o->t38_version = (int) parse_long(a, v, 0, 3);
        } else if (strcmp(a, "--max-rate") == 0) {
            NEED_VALUE();
            o->max_rate = (int) parse_long(a, v, 2400, 14400);
        } else if (strcmp(a, "--fill-bit-removal") == 0) {
            o->fill_bit_removal = 1;
        } else if (strcmp(a, "--caller") == 0) {
            o->caller = 1;
        } else if (strcmp(a, "--answerer") == 0) {
            o->caller = 0;
        } else if (strcmp(a, "--die-after-pages") == 0) {
            NEED_VALUE();
            o->die_after_pages = (int) parse_long(a, v, 1, 10000);
        } else if (strcmp(a, "--die-at-page-bytes") == 0) {
            NEED_VALUE();
            o->die_at_page_bytes = parse_long(a, v, 1, 0x7FFFFFFF);
        } else if (strcmp(a, "--log") == 0) {
            o->log = 1;
        } else if (strcmp(a, "--trace") == 0) {
            o->trace = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(EXIT_OK);
        } else {
            fail_usage("unknown option %s", a);
        }
#undef NEED_VALUE
    }
    if (o->local_port == 0)
        fail_usage("--local-port is required");
    if (o->sending && !o->tiff)
        fail_usage("send needs --tiff");
    if (o->sending && !o->has_remote)
        fail_usage("send needs --remote");
    if (!o->sending && !o->out)
        fail_usage("recv needs --out");
    if (o->caller < 0)
        o->caller = o->sending;
}

/* ---- IFP inspection, for tracing and the die-* options ---------------------- */

typedef struct {
    int is_indicator;
    int indicator;
    int data_type;
    int fields;
    int field_types[8];
    int field_lens[8];
    int data_octets;
} ifp_info_t;

static int inspect_ifp(const uint8_t *buf, int len, int t38_version, ifp_info_t *info)
{
    memset(info, 0, sizeof(*info));
    if (len < 1 || t38_ifp_length(buf, len, t38_version) < 0)
        return -1;
    uint8_t b0 = buf[0];
    int two_octet_type = (b0 & 0x20) != 0;
    if ((b0 & 0x40) == 0) {
        info->is_indicator = 1;
        info->indicator = two_octet_type ? T38_IND_V8_ANSAM + (((b0 & 0x03) << 2) | (buf[1] >> 6)) : (b0 >> 1) & 0x0F;
        return 0;
    }
    info->data_type = two_octet_type ? T38_DATA_V8 + (((b0 & 0x03) << 2) | (buf[1] >> 6)) : (b0 >> 1) & 0x0F;
    if ((b0 & 0x80) == 0)
        return 0;
    int ptr = two_octet_type ? 2 : 1;
    int count = buf[ptr++];
    if (count & 0x80)
        count = ((count & 0x3F) << 8) | buf[ptr++];
    for (int i = 0; i < count; i++) {
        uint8_t f0 = buf[ptr];
        int ftype;
        if (t38_version == 0) {
            ftype = (f0 >> 4) & 0x07;
            ptr += 1;
        } else if (f0 & 0x40) {
            ftype = T38_FIELD_CM_MESSAGE + (((f0 & 0x03) << 2) | (buf[ptr + 1] >> 6));
            ptr += 2;
        } else {
            ftype = (f0 >> 3) & 0x07;
            ptr += 1;
        }
        int flen = 0;
        if (f0 & 0x80) {
            flen = ((buf[ptr] << 8) | buf[ptr + 1]) + 1;
            ptr += 2 + flen;
        }
        if (i < 8) {
            info->field_types[i] = ftype;
            info->field_lens[i] = flen;
            info->fields = i + 1;
        }
        info->data_octets += flen;
    }
    return 0;
}

static void trace_ifp(harness_t *h, const char *dir, const uint8_t *buf, int len, int seq, int count, int recovered)
{
    ifp_info_t info;
    fprintf(stderr, "ifp %s t=%.1f real=%.1f seq=%d", dir, spandsp_ms(h), (double) (now_us() - h->start_us) / 1000.0, seq);
    if (count >= 0)
        fprintf(stderr, " count=%d", count);
    if (recovered)
        fprintf(stderr, " recovered");
    fprintf(stderr, " len=%d", len);
    if (inspect_ifp(buf, len, h->opt.t38_version, &info) < 0) {
        fprintf(stderr, " malformed\n");
        return;
    }
    if (info.is_indicator) {
        fprintf(stderr, " indicator %s\n", t38_indicator_to_str(info.indicator));
        return;
    }
    fprintf(stderr, " data %s", t38_data_type_to_str(info.data_type));
    for (int i = 0; i < info.fields; i++)
        fprintf(stderr, " %s(%d)", t38_field_type_to_str(info.field_types[i]), info.field_lens[i]);
    fprintf(stderr, "\n");
}

/* ---- sending ----------------------------------------------------------------- */

static void send_datagram(harness_t *h, const uint8_t *pkt, int len)
{
    if (!h->remote_known) {
        if (h->pre_remote_count < MAX_QUEUED_BEFORE_REMOTE) {
            memcpy(h->pre_remote[h->pre_remote_count].data, pkt, (size_t) len);
            h->pre_remote[h->pre_remote_count].len = len;
            h->pre_remote_count++;
        }
        return;
    }
    h->tx_packets++;
    if (h->opt.loss_pct > 0.0 && next_random(h) * 100.0 < h->opt.loss_pct) {
        h->tx_dropped++;
        return;
    }
    /* Errors (e.g. ICMP unreachable once the far end exits) are not ours to act on: T.30 timers are. */
    (void) sendto(h->fd, pkt, (size_t) len, 0, (struct sockaddr *) &h->remote, h->remote_len);
}

static void send_ifp(harness_t *h, const uint8_t *ifp, int len)
{
    uint8_t pkt[UDPTL_MAX_PACKET];
    int n = udptl_tx_build(&h->tx, ifp, len, pkt, sizeof(pkt));
    if (n < 0) {
        fprintf(stderr, "spandsp-t38: IFP of %d octets does not fit a UDPTL packet\n", len);
        return;
    }
    send_datagram(h, pkt, n);
}

/* Copies must not overtake newer IFPs: send what is left before anything new. */
static void flush_copies(harness_t *h)
{
    while (h->copies_left > 0) {
        send_ifp(h, h->copy_ifp, h->copy_len);
        h->copies_left--;
    }
}

static void send_due_copies(harness_t *h, int64_t now)
{
    if (h->copies_left > 0 && now >= h->copy_due_us) {
        send_ifp(h, h->copy_ifp, h->copy_len);
        h->copies_left--;
        h->copy_due_us = now + COPY_SPACING_MS * 1000;
    }
}

static int is_v21_frame_end(const ifp_info_t *info)
{
    if (info->is_indicator || info->data_type != T38_DATA_V21)
        return 0;
    for (int i = 0; i < info->fields; i++) {
        if (info->field_types[i] == T38_FIELD_HDLC_FCS_OK_SIG_END || info->field_types[i] == T38_FIELD_HDLC_SIG_END)
            return 1;
    }
    return 0;
}

static int tx_packet_handler(t38_core_state_t *s, void *user_data, const uint8_t *buf, int len, int count)
{
    harness_t *h = (harness_t *) user_data;
    ifp_info_t info;
    (void) s;

    if (h->silenced || h->die_now)
        return 0;
    if (h->opt.trace)
        trace_ifp(h, "tx", buf, len, h->tx.next_seq, count, 0);
    h->tx_ifps++;
    int parsed = inspect_ifp(buf, len, h->opt.t38_version, &info) == 0;

    if (h->opt.die_at_page_bytes > 0 && parsed && !info.is_indicator && info.data_type != T38_DATA_V21 &&
        !h->tcf_next) {
        if (h->image_octets_sent >= h->opt.die_at_page_bytes) {
            h->silenced = 1;
            h->aborted = "die-at-page-bytes";
            return 0;
        }
        h->image_octets_sent += info.data_octets;
    }

    flush_copies(h);
    send_ifp(h, buf, len);
    if (count > 1) {
        memcpy(h->copy_ifp, buf, (size_t) len);
        h->copy_len = len;
        h->copies_left = count - 1;
        h->copy_due_us = now_us() + COPY_SPACING_MS * 1000;
    }
    if (h->die_armed && parsed && is_v21_frame_end(&info)) {
        /* The response to the last page is out: vanish now, copies included. */
        flush_copies(h);
        h->die_now = 1;
    }
    return 0;
}

/* ---- receiving --------------------------------------------------------------- */

static void deliver_ifp(void *user, const uint8_t *ifp, int len, uint16_t seq, int recovered)
{
    harness_t *h = (harness_t *) user;
    if (h->opt.trace)
        trace_ifp(h, "rx", ifp, len, seq, -1, recovered);
    t38_core_rx_ifp_packet(h->core, ifp, len, seq);
}

static void set_remote(harness_t *h, const struct sockaddr_storage *addr, socklen_t len)
{
    memcpy(&h->remote, addr, len);
    h->remote_len = len;
    h->remote_known = 1;
    for (int i = 0; i < h->pre_remote_count; i++)
        send_datagram(h, h->pre_remote[i].data, h->pre_remote[i].len);
    h->pre_remote_count = 0;
}

static void read_socket(harness_t *h)
{
    uint8_t buf[UDPTL_MAX_PACKET];
    for (;;) {
        struct sockaddr_storage from;
        socklen_t from_len = sizeof(from);
        ssize_t n = recvfrom(h->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *) &from, &from_len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return; /* EAGAIN, or an ICMP error reported on the socket */
        }
        if (h->silenced)
            continue;
        if (!h->remote_known)
            set_remote(h, &from, from_len);
        udptl_rx_packet(&h->rx, buf, (int) n, deliver_ifp, h);
    }
}

/* ---- SpanDSP callbacks ------------------------------------------------------- */

static void phase_e_handler(t30_state_t *s, void *user_data, int completion_code)
{
    harness_t *h = (harness_t *) user_data;
    (void) s;
    if (h->phase_e_seen)
        return;
    h->phase_e_seen = 1;
    h->completion_code = completion_code;
    h->phase_e_at = h->samples;
}

static void real_time_frame_handler(t30_state_t *s, void *user_data, int direction, const uint8_t msg[], int len)
{
    harness_t *h = (harness_t *) user_data;
    (void) s;
    /* Frames are address 0xFF, control, then the FCF; the low bit of the FCF is the X bit.
       TCF follows our DCS and ends before the far end answers (CFR/FTT). */
    if (!direction && len >= 3)
        h->tcf_next = (msg[2] & 0xFE) == T30_DCS;
    else if (direction)
        h->tcf_next = 0;
}

static void log_message(int level, const char *text)
{
    (void) level;
    if (g_harness)
        fprintf(stderr, "[%9.1f] %s", spandsp_ms(g_harness), text);
    else
        fputs(text, stderr);
}

/* ---- set-up ------------------------------------------------------------------ */

static int open_socket(harness_t *h)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in local;
    memset(&local, 0, sizeof(local));
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(INADDR_ANY);
    local.sin_port = htons((uint16_t) h->opt.local_port);
    if (bind(fd, (struct sockaddr *) &local, sizeof(local)) < 0) {
        close(fd);
        return -1;
    }
    h->fd = fd;
    if (h->opt.has_remote) {
        struct addrinfo hints, *res;
        char port[16];
        memset(&hints, 0, sizeof(hints));
        hints.ai_family = AF_INET;
        hints.ai_socktype = SOCK_DGRAM;
        snprintf(port, sizeof(port), "%d", h->opt.remote_port);
        if (getaddrinfo(h->opt.remote_host, port, &hints, &res) != 0 || !res)
            return -1;
        memcpy(&h->remote, res->ai_addr, res->ai_addrlen);
        h->remote_len = res->ai_addrlen;
        h->remote_known = 1;
        freeaddrinfo(res);
    }
    return 0;
}

static int supported_modems(int max_rate)
{
    if (max_rate >= 12000)
        return T30_SUPPORT_V27TER | T30_SUPPORT_V29 | T30_SUPPORT_V17;
    if (max_rate >= 7200)
        return T30_SUPPORT_V27TER | T30_SUPPORT_V29;
    return T30_SUPPORT_V27TER;
}

static int setup_spandsp(harness_t *h)
{
    const options_t *o = &h->opt;
    h->t38 = t38_terminal_init(NULL, o->caller, tx_packet_handler, h);
    if (!h->t38)
        return -1;
    h->t30 = t38_terminal_get_t30_state(h->t38);
    h->core = t38_terminal_get_t38_core_state(h->t38);

    /* The T.38 session parameters, set as Asterisk and FreeSWITCH do after SDP. */
    t38_set_t38_version(h->core, o->t38_version);
    t38_set_data_rate_management_method(h->core, T38_DATA_RATE_MANAGEMENT_TRANSFERRED_TCF);
    t38_set_max_buffer_size(h->core, 2000);
    t38_set_max_datagram_size(h->core, 400);
    t38_set_fastest_image_data_rate(h->core, o->max_rate);
    t38_set_fill_bit_removal(h->core, o->fill_bit_removal);
    t38_set_mmr_transcoding(h->core, 0);
    t38_set_jbig_transcoding(h->core, 0);
    t38_terminal_set_config(h->t38, 0);
    t38_terminal_set_fill_bit_removal(h->t38, o->fill_bit_removal);

    t30_set_tx_ident(h->t30, o->csid ? o->csid : (o->sending ? "SPANDSP SEND" : "SPANDSP RECV"));
    t30_set_ecm_capability(h->t30, o->ecm);
    t30_set_supported_compressions(h->t30, o->compressions);
    t30_set_supported_resolutions(h->t30, o->resolutions);
    t30_set_supported_modems(h->t30, supported_modems(o->max_rate));
    t30_set_supported_image_sizes(h->t30,
                                  T30_SUPPORT_215MM_WIDTH | T30_SUPPORT_255MM_WIDTH | T30_SUPPORT_303MM_WIDTH |
                                      T30_SUPPORT_UNLIMITED_LENGTH | T30_SUPPORT_A4_LENGTH | T30_SUPPORT_B4_LENGTH |
                                      T30_SUPPORT_US_LETTER_LENGTH | T30_SUPPORT_US_LEGAL_LENGTH);
    t30_set_phase_e_handler(h->t30, phase_e_handler, h);
    t30_set_real_time_frame_handler(h->t30, real_time_frame_handler, h);
    if (o->sending)
        t30_set_tx_file(h->t30, o->tiff, -1, -1);
    else
        t30_set_rx_file(h->t30, o->out, -1);

    if (o->log) {
        int level = SPAN_LOG_SHOW_SEVERITY | SPAN_LOG_SHOW_PROTOCOL | SPAN_LOG_FLOW;
        logging_state_t *ls[3] = {t30_get_logging_state(h->t30), t38_core_get_logging_state(h->core),
                                  t38_terminal_get_logging_state(h->t38)};
        for (int i = 0; i < 3; i++) {
            span_log_set_level(ls[i], level);
            span_log_set_tag(ls[i], o->sending ? "send" : "recv");
            span_log_set_message_handler(ls[i], log_message);
        }
    }
    return 0;
}

/* ---- result ------------------------------------------------------------------ */

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *) (s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7F)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static const char *compression_name(int encoding)
{
    switch (encoding) {
    case T4_COMPRESSION_ITU_T4_1D:
        return "mh";
    case T4_COMPRESSION_ITU_T4_2D:
        return "mr";
    case T4_COMPRESSION_ITU_T6:
        return "mmr";
    default:
        return "none";
    }
}

static const char *resolution_name(int y_resolution)
{
    /* SpanDSP reports pixels per metre: 3850 standard, 7700 fine, 15400 superfine. */
    if (y_resolution <= 0)
        return "none";
    if (y_resolution < 5000)
        return "standard";
    if (y_resolution < 10000)
        return "fine";
    return "superfine";
}

static int report(harness_t *h)
{
    t30_stats_t st;
    t30_get_transfer_statistics(h->t30, &st);
    int code = h->phase_e_seen ? h->completion_code : st.current_status;
    int pages = h->opt.sending ? st.pages_tx : st.pages_rx;
    int ok = h->phase_e_seen && code == T30_ERR_OK && !h->aborted && !h->timed_out;
    /* On a timeout the code is whatever t30_terminate() left, often T30_ERR_OK: the reason must not say "OK". */
    const char *reason = h->timed_out ? "harness timeout" : t30_completion_code_to_str(code);
    FILE *f = stdout;

    fprintf(f, "{\"ok\":%s,\"code\":%d,\"reason\":", ok ? "true" : "false", code);
    json_string(f, reason);
    fprintf(f, ",\"pages\":%d,\"remoteCsid\":", pages);
    json_string(f, t30_get_rx_ident(h->t30));
    fprintf(f, ",\"ecm\":%s,\"bitRate\":%d,\"compression\":\"%s\",\"resolution\":\"%s\",\"durationMs\":%.0f",
            st.error_correcting_mode ? "true" : "false", st.bit_rate, compression_name(st.encoding),
            resolution_name(st.y_resolution), spandsp_ms(h));
    fprintf(f, ",\"realMs\":%.0f,\"badRows\":%d,\"timedOut\":%s,\"aborted\":", (double) (now_us() - h->start_us) / 1000.0,
            st.bad_rows, h->timed_out ? "true" : "false");
    if (h->aborted)
        json_string(f, h->aborted);
    else
        fputs("null", f);
    fprintf(f,
            ",\"udptl\":{\"txIfps\":%ld,\"txPackets\":%ld,\"txDropped\":%ld,\"rxPackets\":%ld,\"rxRecovered\":%ld,"
            "\"rxLost\":%ld,\"rxDuplicates\":%ld,\"rxMalformed\":%ld}}\n",
            h->tx_ifps, h->tx_packets, h->tx_dropped, h->rx.packets, h->rx.recovered, h->rx.lost, h->rx.duplicates,
            h->rx.malformed);
    fflush(f);
    if (h->aborted)
        return EXIT_DIED;
    return ok ? EXIT_OK : EXIT_FAX_FAILED;
}

/* ---- main loop --------------------------------------------------------------- */

static int check_die_conditions(harness_t *h)
{
    const options_t *o = &h->opt;
    if (h->silenced) {
        /* die-at-page-bytes: the far end has vanished mid-page; so do we. */
        return 1;
    }
    if (h->die_now) {
        h->aborted = "die-after-pages";
        return 1;
    }
    if (o->die_after_pages > 0 && !h->die_armed) {
        t30_stats_t st;
        t30_get_transfer_statistics(h->t30, &st);
        if (o->sending && st.pages_tx >= o->die_after_pages) {
            /* The receiver confirmed page N; vanish before the next page or EOP goes out. */
            h->aborted = "die-after-pages";
            return 1;
        }
        if (!o->sending && st.pages_rx >= o->die_after_pages) {
            h->die_armed = 1;
            h->die_armed_at = h->samples;
        }
    }
    if (h->die_armed && h->samples - h->die_armed_at > DIE_WAIT_SAMPLES) {
        h->aborted = "die-after-pages";
        return 1;
    }
    return 0;
}

static int run(harness_t *h)
{
    const options_t *o = &h->opt;
    int64_t last = now_us();
    int64_t next_tick = last + TICK_MS * 1000;
    double carry = 0.0;
    int64_t timeout_samples = (int64_t) (o->timeout_s * SAMPLE_RATE);

    for (;;) {
        int64_t now = now_us();
        int64_t wake = next_tick;
        if (h->copies_left > 0 && h->copy_due_us < wake)
            wake = h->copy_due_us;
        int wait_ms = wake > now ? (int) ((wake - now + 999) / 1000) : 0;
        struct pollfd pfd = {.fd = h->fd, .events = POLLIN};
        if (poll(&pfd, 1, wait_ms) > 0 && (pfd.revents & POLLIN))
            read_socket(h);

        now = now_us();
        carry += (double) (now - last) / 1e6 * SAMPLE_RATE * o->time_scale;
        last = now;
        if (now >= next_tick)
            next_tick = now + TICK_MS * 1000;
        int due = (int) carry;
        carry -= due;
        while (due > 0) {
            int step = due < SAMPLES_PER_STEP ? due : SAMPLES_PER_STEP;
            int finished = t38_terminal_send_timeout(h->t38, step);
            h->samples += step;
            due -= step;
            if (check_die_conditions(h))
                return report(h);
            if (finished) {
                flush_copies(h);
                return report(h);
            }
            if (h->phase_e_seen && h->samples - h->phase_e_at > PHASE_E_GRACE_SAMPLES) {
                flush_copies(h);
                return report(h);
            }
            if (h->samples > timeout_samples && !h->timed_out) {
                h->timed_out = 1;
                t30_terminate(h->t30);
                flush_copies(h);
                return report(h);
            }
        }
        send_due_copies(h, now_us());
    }
}

int main(int argc, char **argv)
{
    static harness_t harness;
    harness_t *h = &harness;
    parse_options(argc, argv, &h->opt);
    h->rng = h->opt.seed * 0x9E3779B97F4A7C15ULL + 1;
    h->start_us = now_us();
    h->pre_remote = calloc(MAX_QUEUED_BEFORE_REMOTE, sizeof(datagram_t));
    if (!h->pre_remote)
        return EXIT_USAGE;
    g_harness = h;
    /* libtiff's warnings about fax TIFF tags would drown the log. */
    TIFFSetWarningHandler(NULL);

    if (open_socket(h) < 0) {
        fprintf(stderr, "spandsp-t38: cannot use UDP port %d or resolve the remote: %s\n", h->opt.local_port,
                strerror(errno));
        return EXIT_USAGE;
    }
    /* Tests wait for this line before pointing a peer at the port. */
    fprintf(stderr, "spandsp-t38: listening on udp port %d\n", h->opt.local_port);
    udptl_tx_init(&h->tx, (uint16_t) h->opt.first_seq, h->opt.redundancy, h->opt.use_fec, h->opt.fec_span,
                  h->opt.fec_entries);
    udptl_rx_init(&h->rx, h->opt.t38_version);
    if (setup_spandsp(h) < 0) {
        fprintf(stderr, "spandsp-t38: cannot initialise SpanDSP's T.38 terminal\n");
        return EXIT_USAGE;
    }
    int rc = run(h);
    /* Releasing the terminal closes the received TIFF, so it is complete on disk. */
    if (!h->aborted || !h->opt.sending)
        t38_terminal_release(h->t38);
    close(h->fd);
    return rc;
}
