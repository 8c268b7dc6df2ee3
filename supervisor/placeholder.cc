// placeholder until the supervisor library lands
