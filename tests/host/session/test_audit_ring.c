/*
 * The audit log's ring (apps/audit/ring.c): sequence numbers and times
 * stamped on append, paging by after_seq, the oldest records overwritten
 * and counted once the ring is full, writer text cut and made printable,
 * and the console line.
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "ring.h"

static struct audit_ring ring;

static uint64_t append(const char *event, uint64_t id, const char *user, const char *detail)
{
	struct audit_entry e = { event, id, user, detail };

	return audit_ring_append(&ring, &e, 1000 + id, 77);
}

static void test_append_and_read(void)
{
	struct capos_audit_record out[4];
	uint32_t more = 9;

	audit_ring_init(&ring);
	CHECK_EQ(audit_ring_read(&ring, 0, out, 4, &more), 0);
	CHECK_EQ(more, 0);
	CHECK_EQ(append("login-ok", 5, "alice", "profile operator"), 1);
	CHECK_EQ(append("upgrade", 5, "alice", "echo"), 2);
	CHECK_EQ(append("logout", 5, "alice", ""), 3);
	CHECK_EQ(audit_ring_read(&ring, 0, out, 2, &more), 2);
	CHECK_EQ(more, 1);
	CHECK_EQ(out[0].seq, 1);
	CHECK_EQ(out[0].time_ns, 1005);
	CHECK_EQ(out[0].writer, 77);
	CHECK_EQ(out[0].audit_id, 5);
	CHECK_STR(out[0].event, "login-ok");
	CHECK_STR(out[1].detail, "echo");
	CHECK_EQ(audit_ring_read(&ring, 2, out, 4, &more), 1);
	CHECK_EQ(more, 0);
	CHECK_STR(out[0].event, "logout");
	CHECK_EQ(audit_ring_read(&ring, 3, out, 4, &more), 0);
	CHECK_EQ(audit_ring_read(&ring, UINT64_MAX, out, 4, &more), 0);
	CHECK_EQ(more, 0);
	CHECK_EQ(ring.dropped, 0);
}

static void test_overwrite_counts_dropped(void)
{
	struct capos_audit_record out[CAPOS_AUDIT_READ_BATCH];
	uint32_t more;

	audit_ring_init(&ring);
	for (uint32_t i = 0; i < AUDIT_RING_RECORDS + 10; i++)
		append("e", i, "u", "d");
	CHECK_EQ(ring.dropped, 10);
	CHECK(audit_ring_get(&ring, 10) == NULL);
	CHECK(audit_ring_get(&ring, 11) != NULL);
	CHECK(audit_ring_get(&ring, AUDIT_RING_RECORDS + 11) == NULL);
	/* after_seq older than the ring: starts at the oldest held */
	CHECK_EQ(audit_ring_read(&ring, 0, out, CAPOS_AUDIT_READ_BATCH, &more), CAPOS_AUDIT_READ_BATCH);
	CHECK_EQ(out[0].seq, 11);
	CHECK_EQ(out[CAPOS_AUDIT_READ_BATCH - 1].seq, 11 + CAPOS_AUDIT_READ_BATCH - 1);
	CHECK_EQ(more, 1);
	CHECK_EQ(audit_ring_read(&ring, AUDIT_RING_RECORDS + 8, out, CAPOS_AUDIT_READ_BATCH, &more), 2);
	CHECK_EQ(out[1].seq, AUDIT_RING_RECORDS + 10);
	CHECK_EQ(more, 0);
}

static void test_text_cut_and_cleaned(void)
{
	char event[CAPOS_AUDIT_EVENT_MAX], user[40];
	const struct capos_audit_record *r;

	audit_ring_init(&ring);
	memset(event, 'x', sizeof event);            /* no NUL at all */
	memset(user, 'u', sizeof user);
	user[39] = 0;
	append(event, 1, user, "evil\nuser=root\x7f\x80");
	r = audit_ring_get(&ring, 1);
	CHECK(r != NULL);
	CHECK_EQ(strlen(r->event), CAPOS_AUDIT_EVENT_MAX - 1);
	CHECK_EQ(strlen(r->user), CAPOS_AUDIT_USER_MAX - 1);
	CHECK_STR(r->detail, "evil?user=root??");
}

static void test_format(void)
{
	char buf[256];
	const struct capos_audit_record *r;

	audit_ring_init(&ring);
	append("login-fail", 0, "", "from 0x1234");
	append("logout", 7, "bob", "");
	r = audit_ring_get(&ring, 1);
	CHECK_EQ(audit_format(r, buf, sizeof buf), strlen("audit: #1 login-fail session=0 user=- from 0x1234\n"));
	CHECK_STR(buf, "audit: #1 login-fail session=0 user=- from 0x1234\n");
	audit_format(audit_ring_get(&ring, 2), buf, sizeof buf);
	CHECK_STR(buf, "audit: #2 logout session=7 user=bob\n");
	CHECK_EQ(audit_format(r, buf, 12), 11);
	CHECK_STR(buf, "audit: #1 \n");
}

int main(void)
{
	RUN(test_append_and_read);
	RUN(test_overwrite_counts_dropped);
	RUN(test_text_cut_and_cleaned);
	RUN(test_format);
	return check_done();
}
