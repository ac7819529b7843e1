"""Beyond one device: simulated CPU devices, a data-parallel training
step, an FE residual partitioned by elements with `shard_map`, a real
multi-process run and the bytes the collectives move.

One module per concept: `devices` (N simulated devices in a fresh
process), `data_parallel`, `fe_sharded`, `multiprocess`, `comms`;
`checks` (sharded against one device, for the tests) and `sweep` (what
the page measures per device count).
"""
