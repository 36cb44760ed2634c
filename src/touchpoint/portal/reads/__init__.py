"""What the customer's pages show, gathered for each page (read models beside their pages)."""
