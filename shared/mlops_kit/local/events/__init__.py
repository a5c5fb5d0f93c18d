"""EventBridge: the events AWS services put on the default bus by themselves."""
