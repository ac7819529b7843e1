"""A real multi-process JAX run on this host: K Python processes joined by
`jax.distributed.initialize`, each owning its CPU devices, train the
data-parallel MLP over one global mesh; process 0 writes the parameters.

Across processes XLA:CPU needs a collectives library: jax 0.10.2 uses
gloo over TCP by default (`jax_cpu_collectives_implementation`, also
"mpi"); it is set explicitly here so the choice is visible. The same
worker runs on a cluster: start one per host with that host's
`--process-id` and the coordinator's address (`launch_commands`). On
GPUs or TPUs the collectives are NCCL's or the interconnect's, and on
SLURM, Open MPI or TPU pods `jax.distributed.initialize()` needs no
arguments: it reads them from the scheduler.

Every wait has a limit: the coordinator's start-up
(`initialization_timeout`), heartbeats, and the whole run (`run`), which
kills all workers when one hangs in a collective.
"""

import argparse
import os
import pickle
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from workloads.sharding.data_parallel import BATCH, DEPTH, WIDTH

COLLECTIVES = "gloo"
START_TIMEOUT_S = 30  # the coordinator and every worker must join by then


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def worker_command(coordinator: str, processes: int, process_id: int,
                   steps: int, out: str, local_devices: int = 1) -> list[str]:
    """The command line that starts worker `process_id` of `processes`."""
    return [sys.executable, "-m", "workloads.sharding.multiprocess",
            "--coordinator", coordinator, "--processes", str(processes),
            "--process-id", str(process_id), "--steps", str(steps),
            "--local-devices", str(local_devices), "--out", out]


def launch_commands(processes: int, coordinator: str = "HOST0:1234",
                    steps: int = 10) -> list[str]:
    """What a reader types, one line per host, to run the workers across
    machines (host 0 runs the coordinator)."""
    return [f"python -m workloads.sharding.multiprocess --coordinator "
            f"{coordinator} --processes {processes} --process-id {i} "
            f"--steps {steps} --out params.pkl" for i in range(processes)]


def worker(coordinator: str, processes: int, process_id: int, steps: int,
           out: str, local_devices: int = 1) -> None:
    """One process: join the others, train over the global mesh, and (as
    process 0) write the host copies of the state and the losses."""
    import jax

    jax.config.update("jax_platforms", "cpu")
    jax.config.update("jax_num_cpu_devices", local_devices)
    jax.config.update("jax_cpu_collectives_implementation", COLLECTIVES)
    jax.distributed.initialize(
        coordinator_address=coordinator, num_processes=processes,
        process_id=process_id, initialization_timeout=START_TIMEOUT_S,
        heartbeat_timeout_seconds=START_TIMEOUT_S,
        shutdown_timeout_seconds=START_TIMEOUT_S)
    from workloads.sharding.data_parallel import train

    expected = processes * local_devices
    if jax.device_count() != expected or jax.process_count() != processes:
        raise RuntimeError(f"joined {jax.process_count()} processes with "
                           f"{jax.device_count()} devices, not {expected}")
    leaves, losses = train(steps, width=WIDTH, depth=DEPTH, batch=BATCH)
    if process_id == 0:
        Path(out).write_bytes(pickle.dumps(
            {"leaves": leaves, "losses": losses,
             "devices": jax.device_count(),
             "processes": jax.process_count()}))
    jax.distributed.shutdown()


def run(processes: int = 2, steps: int = 5, local_devices: int = 1,
        timeout_s: float = 120) -> dict[str, Any]:
    """Start `processes` workers on localhost, wait for all (killing every
    one after `timeout_s`), and return process 0's state and losses."""
    coordinator = f"127.0.0.1:{free_port()}"
    env = {**os.environ, "JAX_PLATFORMS": "cpu",
           "XLA_PYTHON_CLIENT_PREALLOCATE": "false"}
    env.pop("JAX_NUM_CPU_DEVICES", None)
    with tempfile.TemporaryDirectory(prefix="perfguide-mp-") as folder:
        out = str(Path(folder) / "process0.pkl")
        logs = [open(Path(folder) / f"worker{i}.log", "w+")
                for i in range(processes)]
        workers = [subprocess.Popen(
            worker_command(coordinator, processes, i, steps, out,
                           local_devices),
            env=env, stdout=log, stderr=subprocess.STDOUT)
            for i, log in enumerate(logs)]
        deadline = time.monotonic() + timeout_s
        try:
            codes = [w.wait(timeout=max(deadline - time.monotonic(), 0.1))
                     for w in workers]
        except subprocess.TimeoutExpired:
            codes = None
        finally:
            for w in workers:
                if w.poll() is None:
                    w.kill()
                    w.wait()
        text = []
        for i, log in enumerate(logs):
            log.seek(0)
            text.append(f"--- worker {i} ---\n{log.read()[-3000:]}")
            log.close()
        if codes is None or any(codes) or not Path(out).exists():
            why = (f"did not finish in {timeout_s:.0f} s" if codes is None
                   else f"exit codes {codes}")
            raise RuntimeError(f"{processes} workers {why}:\n"
                               + "\n".join(text))
        return pickle.loads(Path(out).read_bytes())


def main(argv: list[str] | None = None) -> None:
    """Command line of one worker (see `launch_commands`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coordinator", required=True)
    parser.add_argument("--processes", type=int, required=True)
    parser.add_argument("--process-id", type=int, required=True)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--local-devices", type=int, default=1)
    parser.add_argument("--out", default="params.pkl")
    a = parser.parse_args(argv)
    worker(a.coordinator, a.processes, a.process_id, a.steps, a.out,
           a.local_devices)


if __name__ == "__main__":
    main()
