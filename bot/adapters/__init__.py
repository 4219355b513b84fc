"""Platform adapters: translate platform events into Commands, render Replies, send."""
