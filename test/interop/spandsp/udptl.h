/*
 * UDPTL framing for T.38 (ITU-T T.38 clause 9.1, the UDPTLPacket ASN.1 type in
 * aligned PER): a 16-bit sequence number, the primary IFP as an open type, and
 * error recovery as either secondary IFPs (redundancy) or parity FEC.
 *
 * SpanDSP 0.0.6 has no UDPTL layer of its own, so the harness carries one. It is
 * written for the harness only: faxgate's own codec lives in protocols/.
 */
#ifndef FAXGATE_HARNESS_UDPTL_H
#define FAXGATE_HARNESS_UDPTL_H

#include <stdint.h>

/* Large enough for any IFP SpanDSP 0.0.6 builds (its own buffers are 1000 octets). */
#define UDPTL_MAX_IFP 1024
#define UDPTL_MAX_PACKET 4096
#define UDPTL_MAX_SECONDARIES 8
#define UDPTL_MAX_FEC_ENTRIES 8
#define UDPTL_MAX_FEC_SPAN 8
/* Packets kept by sequence number for redundancy and FEC repair. Gaps and FEC reach at
   most UDPTL_REPAIR_WINDOW + span * entries back, which must stay below this. */
#define UDPTL_HISTORY 256
/* A gap wider than this is taken as a restarted stream rather than loss. */
#define UDPTL_REPAIR_WINDOW 64

typedef struct {
    uint8_t data[UDPTL_MAX_IFP];
    int len;
} udptl_ifp_t;

typedef struct {
    uint16_t seq;
    const uint8_t *primary;
    int primary_len;
    /* error recovery: fec == 0 means redundancy (secondaries[0] is seq-1) */
    int fec;
    int n_secondaries;
    const uint8_t *secondaries[UDPTL_MAX_SECONDARIES];
    int secondary_lens[UDPTL_MAX_SECONDARIES];
    int fec_span;
    int fec_entries;
    const uint8_t *fec_data[UDPTL_MAX_FEC_ENTRIES];
    int fec_lens[UDPTL_MAX_FEC_ENTRIES];
} udptl_packet_t;

/* Returns the encoded length, or -1 when it does not fit in out_max. */
int udptl_encode(const udptl_packet_t *p, uint8_t *out, int out_max);
/* Returns 0, or -1 for a malformed packet. Pointers in p point into buf. */
int udptl_decode(const uint8_t *buf, int len, udptl_packet_t *p);

/*
 * The length of the IFP at the start of buf, parsed from its own structure
 * (T.38 clause 7 ASN.1, PER); -1 if it is malformed or longer than len.
 * FEC repair yields the longest covered packet's length; this trims the rest.
 */
int t38_ifp_length(const uint8_t *buf, int len, int t38_version);

/* Sending side: remembers recent IFPs to build secondaries or FEC from. */
typedef struct {
    uint16_t next_seq;
    long sent;
    int use_fec;
    int redundancy;
    int fec_span;
    int fec_entries;
    udptl_ifp_t history[UDPTL_HISTORY];
} udptl_tx_t;

void udptl_tx_init(udptl_tx_t *s, uint16_t first_seq, int redundancy, int use_fec, int fec_span, int fec_entries);
/* Builds the next packet carrying ifp; returns its length or -1. */
int udptl_tx_build(udptl_tx_t *s, const uint8_t *ifp, int ifp_len, uint8_t *out, int out_max);

/* Receiving side: delivers IFPs in sequence order, filling gaps from redundancy or FEC. */
typedef void (udptl_deliver_t)(void *user, const uint8_t *ifp, int len, uint16_t seq, int recovered);

typedef struct {
    uint16_t seq;
    int valid;
    udptl_ifp_t ifp;
    int fec_span;
    int fec_entries;
    udptl_ifp_t fec[UDPTL_MAX_FEC_ENTRIES];
} udptl_rx_slot_t;

typedef struct {
    int started;
    uint16_t next_seq;
    int t38_version;
    udptl_rx_slot_t slots[UDPTL_HISTORY];
    /* counters for the harness's report */
    long packets;
    long malformed;
    long duplicates;
    long recovered;
    long lost;
} udptl_rx_t;

void udptl_rx_init(udptl_rx_t *s, int t38_version);
/* Returns 0, or -1 for a malformed packet (counted, otherwise ignored). */
int udptl_rx_packet(udptl_rx_t *s, const uint8_t *buf, int len, udptl_deliver_t *deliver, void *user);

#endif
