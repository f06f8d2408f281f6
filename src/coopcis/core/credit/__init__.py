"""Credit and deposits (SEC Rule No. 4; policies 402, 404; 17.5.410 NMAC)."""
