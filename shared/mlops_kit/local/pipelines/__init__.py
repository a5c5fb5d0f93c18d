"""Pipeline executions on the local backend: the definition JSON interpreted as SageMaker does.

``definition`` parses and validates (the errors SageMaker gives at CreatePipeline),
``expressions`` and ``conditions`` evaluate what the SDK wrote, ``steps`` turns each step
into the real job of the local backend, ``executor`` runs them in dependency order.
"""
