"""Stream processors. Each folder is one processor: a pure core (no I/O, no clock, no faust)
and, once it runs on Kafka, a thin faust agent that feeds it."""
