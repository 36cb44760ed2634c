"""Parcels: the prepaid box, the device coming in and going home, with their tracking numbers and labels."""
