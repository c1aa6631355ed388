"""Import and export of real-world files, and the bulk COPY writer they share."""
