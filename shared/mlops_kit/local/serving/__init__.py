"""What a SageMaker endpoint does with a request: load the model, run it, capture the traffic.

Pure pieces (no moto): the extension ``mlops_kit.local.extensions.endpoints`` wires them
into the local server.
"""
