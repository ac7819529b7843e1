"""This machine's roofs, measured in the process `pg.run_isolated` starts at
a given thread count: peak FLOP/s and stream bandwidth (perfguide.roofs)."""

from perfguide.roofs import peak_flops, stream_bandwidth


def machine_roofs(stream_mb: float = 256, matmul_n: int = 2048
                  ) -> dict[str, float]:
    """Peak float32 FLOP/s (XLA's n × n product) and bytes per second of a
    chained, donated float32 `x = 2 x` over `stream_mb` MB."""
    return {"peak_flops": peak_flops(matmul_n, "float32"),
            "stream_bytes_per_s": stream_bandwidth(stream_mb, "float32")}
