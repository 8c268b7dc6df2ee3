// placeholder until the policy library lands
