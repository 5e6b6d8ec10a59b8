"""Throughput evidence of the user's own: parsers of measuring tools' output (one module
per tool: :mod:`nicdb.evidence.iperf3`, :mod:`nicdb.evidence.nuttcp`), what the live
machine says about the NIC under test (:mod:`nicdb.evidence.context`), setting names
(:mod:`nicdb.evidence.names`) and the measurement set written to the overlay
(:mod:`nicdb.evidence.record`)."""
