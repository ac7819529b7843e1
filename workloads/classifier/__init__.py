"""The digit classifier trained end to end, one module per concept.

- `data`: the bundled digits, their split, the epochs' order and the
  loaders (host NumPy batches, a PyTorch `DataLoader`, staged arrays);
- `models`: the CNN and the MLP in Flax NNX and PyTorch, Adam, the
  weights copied from one to the other;
- `flax_loops`: the registry's variants driving the step, per epoch;
- `torch_loops`: PyTorch's epochs, eager or compiled;
- `sides`: each library's side, run in a process of its own.
"""
