"""What the local backend's training and processing jobs do, apart from moto's bookkeeping."""
