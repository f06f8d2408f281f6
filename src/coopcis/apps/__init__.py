"""Django apps, one per area of the co-op's business."""
