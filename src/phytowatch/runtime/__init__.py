"""What runs in a serving or worker process besides its transport: threads, queues, the clock.

Orchestration of the use cases over time, for any process that needs it (``serve`` today, an
MQTT worker as well); it imports no web framework and hands what it decides to listeners.
"""
