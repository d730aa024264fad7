"""The answer chain and the parts it is built from, and the factory that assembles them."""
