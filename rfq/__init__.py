"""RFQs, quotes, total landed cost and awards."""
