/*
 * bench-spawn-empty: the child of the spawn_to_exit row (rows_spawn.c),
 * the empty program — main returns 0, so what the row measures is only
 * creating the process, the C runtime's start-up and the end.
 */
int main(void)
{
	return 0;
}
