/*
 * UDPTL encode/decode with redundancy and FEC recovery; see udptl.h.
 *
 * Wire form (aligned PER, as every deployed stack writes it):
 *   seq-number          2 octets, big-endian
 *   primary-ifp-packet  length determinant + IFP octets
 *   error-recovery      1 octet choice: 0x00 secondary IFPs, 0x80 FEC
 *     secondaries:      count (length determinant), then each as length + octets,
 *                       newest (seq-1) first
 *     FEC:              0x01 + span octet (an unconstrained INTEGER of one octet),
 *                       count of entries, then each parity entry as length + octets.
 *                       Entry m of packet S is the XOR of the IFPs S+m-k*entries,
 *                       k = 1..span, each zero-extended to the longest.
 */
#include <string.h>

#include "udptl.h"

static int put_length(uint8_t *out, int out_max, int *ptr, int n)
{
    if (n < 0x80) {
        if (*ptr + 1 > out_max)
            return -1;
        out[(*ptr)++] = (uint8_t) n;
        return 0;
    }
    /* Longer forms (fragmentation past 16K) never occur for IFPs. */
    if (n >= 0x4000 || *ptr + 2 > out_max)
        return -1;
    out[(*ptr)++] = (uint8_t) (0x80 | (n >> 8));
    out[(*ptr)++] = (uint8_t) (n & 0xFF);
    return 0;
}

static int put_open(uint8_t *out, int out_max, int *ptr, const uint8_t *data, int n)
{
    if (put_length(out, out_max, ptr, n) < 0 || *ptr + n > out_max)
        return -1;
    if (n > 0)
        memcpy(out + *ptr, data, (size_t) n);
    *ptr += n;
    return 0;
}

static int get_length(const uint8_t *buf, int len, int *ptr, int *n)
{
    if (*ptr >= len)
        return -1;
    uint8_t b = buf[(*ptr)++];
    if ((b & 0x80) == 0) {
        *n = b;
        return 0;
    }
    if ((b & 0x40) != 0)
        return -1; /* fragmented form: not used for UDPTL-sized data */
    if (*ptr >= len)
        return -1;
    *n = ((b & 0x3F) << 8) | buf[(*ptr)++];
    return 0;
}

static int get_open(const uint8_t *buf, int len, int *ptr, const uint8_t **data, int *n)
{
    if (get_length(buf, len, ptr, n) < 0 || *ptr + *n > len)
        return -1;
    *data = buf + *ptr;
    *ptr += *n;
    return 0;
}

int udptl_encode(const udptl_packet_t *p, uint8_t *out, int out_max)
{
    int ptr = 0;
    if (out_max < 3)
        return -1;
    out[ptr++] = (uint8_t) (p->seq >> 8);
    out[ptr++] = (uint8_t) (p->seq & 0xFF);
    if (put_open(out, out_max, &ptr, p->primary, p->primary_len) < 0)
        return -1;
    if (ptr + 1 > out_max)
        return -1;
    if (!p->fec) {
        out[ptr++] = 0x00;
        if (put_length(out, out_max, &ptr, p->n_secondaries) < 0)
            return -1;
        for (int i = 0; i < p->n_secondaries; i++) {
            if (put_open(out, out_max, &ptr, p->secondaries[i], p->secondary_lens[i]) < 0)
                return -1;
        }
        return ptr;
    }
    out[ptr++] = 0x80;
    if (ptr + 2 > out_max)
        return -1;
    out[ptr++] = 1;
    out[ptr++] = (uint8_t) p->fec_span;
    if (put_length(out, out_max, &ptr, p->fec_entries) < 0)
        return -1;
    for (int i = 0; i < p->fec_entries; i++) {
        if (put_open(out, out_max, &ptr, p->fec_data[i], p->fec_lens[i]) < 0)
            return -1;
    }
    return ptr;
}

int udptl_decode(const uint8_t *buf, int len, udptl_packet_t *p)
{
    int ptr = 0;
    int n;
    memset(p, 0, sizeof(*p));
    if (len < 3)
        return -1;
    p->seq = (uint16_t) ((buf[0] << 8) | buf[1]);
    ptr = 2;
    if (get_open(buf, len, &ptr, &p->primary, &p->primary_len) < 0)
        return -1;
    if (ptr >= len)
        return -1; /* error-recovery is not optional */
    uint8_t choice = buf[ptr++];
    if ((choice & 0x80) == 0) {
        if (get_length(buf, len, &ptr, &n) < 0)
            return -1;
        /* Keep the newest ones we have room for; older ones are still skipped over. */
        for (int i = 0; i < n; i++) {
            const uint8_t *d;
            int dl;
            if (get_open(buf, len, &ptr, &d, &dl) < 0)
                return -1;
            if (i < UDPTL_MAX_SECONDARIES) {
                p->secondaries[i] = d;
                p->secondary_lens[i] = dl;
                p->n_secondaries = i + 1;
            }
        }
    } else {
        p->fec = 1;
        if (ptr + 2 > len || buf[ptr] != 1)
            return -1;
        p->fec_span = buf[ptr + 1];
        ptr += 2;
        if (get_length(buf, len, &ptr, &n) < 0 || n > UDPTL_MAX_FEC_ENTRIES)
            return -1;
        p->fec_entries = n;
        for (int i = 0; i < n; i++) {
            if (get_open(buf, len, &ptr, &p->fec_data[i], &p->fec_lens[i]) < 0)
                return -1;
        }
    }
    return ptr == len ? 0 : -1;
}

int t38_ifp_length(const uint8_t *buf, int len, int t38_version)
{
    int ptr;
    if (len < 1)
        return -1;
    uint8_t b0 = buf[0];
    int data_field_present = (b0 & 0x80) != 0;
    /* Type-of-msg: bit 6 chooses indicator/data; bit 5 is the extension marker
       that makes the type two octets (T.38 version 1 and later). */
    ptr = (b0 & 0x20) ? 2 : 1;
    if (ptr > len)
        return -1;
    if (!data_field_present)
        return ptr;
    int fields;
    if (get_length(buf, len, &ptr, &fields) < 0)
        return -1;
    for (int i = 0; i < fields; i++) {
        if (ptr >= len)
            return -1;
        uint8_t f0 = buf[ptr];
        int field_data_present = (f0 & 0x80) != 0;
        /* Version 0's field-type enumeration has no extension marker. */
        ptr += (t38_version != 0 && (f0 & 0x40)) ? 2 : 1;
        if (field_data_present) {
            if (ptr + 2 > len)
                return -1;
            int flen = ((buf[ptr] << 8) | buf[ptr + 1]) + 1;
            ptr += 2 + flen;
        }
        if (ptr > len)
            return -1;
    }
    return ptr;
}

void udptl_tx_init(udptl_tx_t *s, uint16_t first_seq, int redundancy, int use_fec, int fec_span, int fec_entries)
{
    memset(s, 0, sizeof(*s));
    s->next_seq = first_seq;
    s->redundancy = redundancy < 0 ? 0 : redundancy > UDPTL_MAX_SECONDARIES ? UDPTL_MAX_SECONDARIES : redundancy;
    s->use_fec = use_fec;
    s->fec_span = fec_span < 1 ? 1 : fec_span > UDPTL_MAX_FEC_SPAN ? UDPTL_MAX_FEC_SPAN : fec_span;
    s->fec_entries = fec_entries < 1 ? 1 : fec_entries > UDPTL_MAX_FEC_ENTRIES ? UDPTL_MAX_FEC_ENTRIES : fec_entries;
}

int udptl_tx_build(udptl_tx_t *s, const uint8_t *ifp, int ifp_len, uint8_t *out, int out_max)
{
    udptl_packet_t p;
    uint8_t parity[UDPTL_MAX_FEC_ENTRIES][UDPTL_MAX_IFP];
    uint16_t seq = s->next_seq;

    if (ifp_len > UDPTL_MAX_IFP)
        return -1;
    memset(&p, 0, sizeof(p));
    p.seq = seq;
    p.primary = ifp;
    p.primary_len = ifp_len;
    if (!s->use_fec) {
        for (int i = 0; i < s->redundancy; i++) {
            /* Only packets already sent: the first ones of a stream carry fewer. */
            uint16_t older = (uint16_t) (seq - 1 - i);
            if (i >= s->sent)
                break;
            udptl_ifp_t *h = &s->history[older % UDPTL_HISTORY];
            p.secondaries[i] = h->data;
            p.secondary_lens[i] = h->len;
            p.n_secondaries = i + 1;
        }
    } else {
        p.fec = 1;
        p.fec_span = s->fec_span;
        p.fec_entries = s->fec_entries;
        for (int m = 0; m < s->fec_entries; m++) {
            int high = 0;
            memset(parity[m], 0, sizeof(parity[m]));
            for (int k = 1; k <= s->fec_span; k++) {
                uint16_t covered = (uint16_t) (seq + m - k * s->fec_entries);
                udptl_ifp_t *h = &s->history[covered % UDPTL_HISTORY];
                for (int j = 0; j < h->len; j++)
                    parity[m][j] ^= h->data[j];
                if (h->len > high)
                    high = h->len;
            }
            p.fec_data[m] = parity[m];
            p.fec_lens[m] = high;
        }
    }
    int n = udptl_encode(&p, out, out_max);
    if (n < 0)
        return -1;
    udptl_ifp_t *mine = &s->history[seq % UDPTL_HISTORY];
    memcpy(mine->data, ifp, (size_t) ifp_len);
    mine->len = ifp_len;
    s->next_seq = (uint16_t) (seq + 1);
    s->sent++;
    return n;
}

void udptl_rx_init(udptl_rx_t *s, int t38_version)
{
    memset(s, 0, sizeof(*s));
    s->t38_version = t38_version;
}

static udptl_rx_slot_t *slot_for(udptl_rx_t *s, uint16_t seq)
{
    return &s->slots[seq % UDPTL_HISTORY];
}

static int have(udptl_rx_t *s, uint16_t seq)
{
    udptl_rx_slot_t *sl = slot_for(s, seq);
    return sl->valid && sl->seq == seq;
}

static void store_ifp(udptl_rx_t *s, uint16_t seq, const uint8_t *ifp, int len)
{
    udptl_rx_slot_t *sl = slot_for(s, seq);
    if (len > UDPTL_MAX_IFP)
        len = UDPTL_MAX_IFP;
    sl->seq = seq;
    sl->valid = 1;
    sl->fec_entries = 0;
    memcpy(sl->ifp.data, ifp, (size_t) len);
    sl->ifp.len = len;
}

/* One pass over the stored parity entries, repairing any group that lacks exactly one
   packet, when that packet is one still to be delivered: [first_missing, newest). */
static int fec_repair_pass(udptl_rx_t *s, uint16_t first_missing, uint16_t newest)
{
    int repaired = 0;
    uint16_t gap = (uint16_t) (newest - first_missing);
    for (int back = 0; back <= gap; back++) {
        uint16_t f = (uint16_t) (newest - back);
        udptl_rx_slot_t *fs = slot_for(s, f);
        if (!fs->valid || fs->seq != f || fs->fec_entries == 0)
            continue;
        for (int m = 0; m < fs->fec_entries; m++) {
            int missing = -1;
            int n_missing = 0;
            for (int k = 1; k <= fs->fec_span; k++) {
                uint16_t c = (uint16_t) (f + m - k * fs->fec_entries);
                if (!have(s, c)) {
                    missing = c;
                    n_missing++;
                }
            }
            if (n_missing != 1 || (uint16_t) (newest - (uint16_t) missing) > gap || (uint16_t) missing == newest)
                continue;
            uint8_t out[UDPTL_MAX_IFP];
            int olen = fs->fec[m].len;
            memcpy(out, fs->fec[m].data, (size_t) olen);
            for (int k = 1; k <= fs->fec_span; k++) {
                uint16_t c = (uint16_t) (f + m - k * fs->fec_entries);
                if (c == (uint16_t) missing)
                    continue;
                udptl_rx_slot_t *cs = slot_for(s, c);
                for (int j = 0; j < cs->ifp.len && j < olen; j++)
                    out[j] ^= cs->ifp.data[j];
            }
            int trimmed = t38_ifp_length(out, olen, s->t38_version);
            store_ifp(s, (uint16_t) missing, out, trimmed > 0 ? trimmed : olen);
            repaired++;
        }
    }
    return repaired;
}

int udptl_rx_packet(udptl_rx_t *s, const uint8_t *buf, int len, udptl_deliver_t *deliver, void *user)
{
    udptl_packet_t p;
    if (udptl_decode(buf, len, &p) < 0 || p.primary_len > UDPTL_MAX_IFP) {
        s->malformed++;
        return -1;
    }
    s->packets++;
    if (!s->started) {
        s->started = 1;
        s->next_seq = (uint16_t) (p.seq - (p.fec ? 0 : p.n_secondaries));
    }
    uint16_t diff = (uint16_t) (p.seq - s->next_seq);
    if (diff >= 0x8000) {
        /* Older than what was already delivered: a duplicate or a late packet. */
        s->duplicates++;
        return 0;
    }
    if (diff > UDPTL_REPAIR_WINDOW) {
        /* A jump this big is a restarted stream, not loss: resynchronise. */
        s->lost += diff;
        s->next_seq = p.seq;
        diff = 0;
    }

    store_ifp(s, p.seq, p.primary, p.primary_len);
    if (p.fec) {
        udptl_rx_slot_t *sl = slot_for(s, p.seq);
        sl->fec_span = p.fec_span;
        sl->fec_entries = p.fec_entries;
        for (int m = 0; m < p.fec_entries; m++) {
            int l = p.fec_lens[m] > UDPTL_MAX_IFP ? UDPTL_MAX_IFP : p.fec_lens[m];
            memcpy(sl->fec[m].data, p.fec_data[m], (size_t) l);
            sl->fec[m].len = l;
        }
    }

    if (diff > 0) {
        for (uint16_t q = s->next_seq; q != p.seq; q++) {
            int back = (uint16_t) (p.seq - q);
            if (!have(s, q) && !p.fec && back <= p.n_secondaries)
                store_ifp(s, q, p.secondaries[back - 1], p.secondary_lens[back - 1]);
        }
        while (fec_repair_pass(s, s->next_seq, p.seq) > 0) {
        }
        for (uint16_t q = s->next_seq; q != p.seq; q++) {
            if (have(s, q)) {
                udptl_rx_slot_t *sl = slot_for(s, q);
                s->recovered++;
                deliver(user, sl->ifp.data, sl->ifp.len, q, 1);
            } else {
                s->lost++;
            }
        }
    }
    udptl_rx_slot_t *cur = slot_for(s, p.seq);
    deliver(user, cur->ifp.data, cur->ifp.len, p.seq, 0);
    s->next_seq = (uint16_t) (p.seq + 1);
    return 0;
}
