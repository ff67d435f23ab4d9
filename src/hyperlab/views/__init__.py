"""Views read records (histories, summaries) and draw or explain them; they never train."""
