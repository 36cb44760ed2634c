"""Magic links: unguessable, revocable capabilities that open one case for its customer, no account needed."""
