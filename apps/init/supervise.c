/*
 * Supervision: init waits on every child at once.  Each running service
 * has one ProcessHandle.wait outstanding, each service waiting to restart
 * one Timer.sleep; both are watched operations of the ring client, and
 * supervise_run sits in capos_ring_poll, which runs the callback of
 * whatever completed (on_child_exit, on_backoff).
 *
 * Restart policy (from the manifest):
 *   - exit code 0 with reason normal is success: never restarted;
 *   - anything else (a non-zero code, killed, a fault) is a failure:
 *     under `on-failure` the service starts again after backoff_ms,
 *     doubling with each restart up to INIT_BACKOFF_CAP_MS, at most
 *     max_restarts times (0: no limit); under `never` it stays ended;
 *   - a service that fails to start at all counts as a failure too.
 *
 * Check mode (the argument "check"): once every service that exports
 * nothing (every service, when all export something) has ended for good,
 * init kills the services still running and supervise_run returns 0 if
 * no service ended in failure (being killed by init is not one), else 1.
 */
#include "init.h"

static void on_child_exit(void *ctx, const struct capos_completion *c);
static void on_backoff(void *ctx, const struct capos_completion *c);

static uint32_t backoff_ms(const struct svc *s)
{
	uint64_t delay = s->m->backoff_ms;

	for (uint32_t i = 0; i < s->restarts && delay < INIT_BACKOFF_CAP_MS; i++)
		delay *= 2;
	return delay < INIT_BACKOFF_CAP_MS ? (uint32_t)delay : INIT_BACKOFF_CAP_MS;
}

static void end_for_good(struct svc *s, int failed)
{
	s->state = SVC_DONE;
	s->failed = failed;
	wire_retire(s->owner, s);
}

/* Wait for the restart delay of s; 0 or a negative code. */
static int watch_backoff(struct svc *s, uint32_t delay_ms)
{
	struct capos_timer_sleep_in in = { .ns = (uint64_t)delay_ms * 1000000ull };
	uint32_t timer = capos_cap_find("timer", NULL);
	uint64_t ud;
	int err = timer ? capos_timer_sleep_async(capos_ring(), timer, &in, &ud) : -CAPOS_ENOENT;

	return err ? err : capos_ring_watch(capos_ring(), ud, on_backoff, s);
}

static int watch_exit(struct svc *s)
{
	uint64_t ud;
	int err = capos_process_handle_wait_async(capos_ring(), s->proc, &s->exit, &ud);

	return err ? err : capos_ring_watch(capos_ring(), ud, on_child_exit, s);
}

/* s has ended (or could not start): restart it, or leave it ended. */
static void after_end(struct svc *s, int failed)
{
	const struct capos_manifest_service *m = s->m;
	uint32_t delay;
	int err;

	if (!failed || s->state == SVC_STOPPING || s->owner->stopping) {
		end_for_good(s, failed && s->state != SVC_STOPPING);
		return;
	}
	if (m->restart != CAPOS_RESTART_ON_FAILURE) {
		end_for_good(s, 1);
		return;
	}
	if (m->max_restarts && s->restarts >= m->max_restarts) {
		report_give_up(s);
		end_for_good(s, 1);
		return;
	}
	delay = backoff_ms(s);
	report_restart(s, delay);
	err = watch_backoff(s, delay);
	if (err) {
		report_note("cannot wait before restarting %s: %s", s->name, capos_strerror(err));
		end_for_good(s, 1);
		return;
	}
	s->state = SVC_BACKOFF;
}

void supervise_start(struct init_state *st, struct svc *s)
{
	int err = wire_exports(st, s);

	if (!err)
		err = wire_spawn(st, s);
	if (err) {
		report_start_failed(s, err);
		after_end(s, 1);
		return;
	}
	report_started(s);
	wire_started(st, s);
	err = watch_exit(s);
	if (err) {
		/* Unsupervised it must not run: stop it and count a failure. */
		report_note("cannot wait for %s: %s; killing it", s->name, capos_strerror(err));
		capos_process_handle_kill(capos_ring(), s->proc);
		registry_forget(s);
		wire_ended(s);
		capos_release(capos_ring(), s->proc);
		end_for_good(s, 1);
		return;
	}
	s->state = SVC_RUNNING;
}

static void on_child_exit(void *ctx, const struct capos_completion *c)
{
	struct svc *s = ctx;
	int failed;

	if (c->status != 0) {
		report_note("lost track of %s: %s", s->name, capos_strerror(c->status));
		failed = 1;
	} else {
		report_exit(s, s->exit.exit_code, s->exit.reason);
		failed = s->exit.reason != CAPOS_EXIT_NORMAL || s->exit.exit_code != 0;
	}
	registry_forget(s);
	wire_ended(s);
	capos_release(capos_ring(), s->proc);
	s->proc = 0;
	after_end(s, failed);
}

static void on_backoff(void *ctx, const struct capos_completion *c)
{
	struct svc *s = ctx;

	(void)c;
	if (s->owner->stopping) {
		end_for_good(s, 1);
		return;
	}
	s->restarts++;
	supervise_start(s->owner, s);
}

/* Check mode: have the services that export nothing all ended for good? */
static int clients_done(const struct init_state *st)
{
	uint32_t clients = 0;

	for (uint32_t i = 0; i < st->count; i++)
		if (st->svcs[i].m->export_count == 0) {
			clients++;
			if (st->svcs[i].state != SVC_DONE)
				return 0;
		}
	for (uint32_t i = 0; !clients && i < st->count; i++)
		if (st->svcs[i].state != SVC_DONE)
			return 0;
	return 1;
}

static int all_done(const struct init_state *st)
{
	for (uint32_t i = 0; i < st->count; i++)
		if (st->svcs[i].state != SVC_DONE)
			return 0;
	return 1;
}

/* Check mode: kill what still runs; services in backoff end at their timer. */
static void stop_the_rest(struct init_state *st)
{
	st->stopping = 1;
	for (uint32_t i = 0; i < st->count; i++) {
		struct svc *s = &st->svcs[i];

		if (s->state != SVC_RUNNING)
			continue;
		report_note("check: stopping %s", s->name);
		s->state = SVC_STOPPING;
		capos_process_handle_kill(capos_ring(), s->proc);
	}
}

static int check_verdict(const struct init_state *st)
{
	uint32_t failed = 0;

	for (uint32_t i = 0; i < st->count; i++)
		failed += st->svcs[i].failed != 0;
	if (failed)
		report_note("check: %u of %u services failed", failed, st->count);
	else
		report_note("check: every service ended well");
	return failed ? 1 : 0;
}

int supervise_run(struct init_state *st)
{
	int idle_noted = 0;

	for (;;) {
		int ran;

		if (st->check && !st->stopping && clients_done(st))
			stop_the_rest(st);
		if (all_done(st)) {
			if (st->check)
				return check_verdict(st);
			if (!idle_noted)
				report_note("every service has ended; idle");
			idle_noted = 1;
		}
		ran = capos_ring_poll(capos_ring(), CAPOS_TIMEOUT_INFINITE);
		if (ran < 0) {
			report_note("waiting for the services failed: %s", capos_strerror(ran));
			return 1;
		}
	}
}
