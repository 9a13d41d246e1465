# `output NAME` of an input or a param is an error: an output is a tensor of
# its own, and a second tensor of the same name would hide the first from
# dm_data and the header (docs/language.md, "Outputs").  A plain binding may
# be exported; so may a copy of an input under a new name.
model m {
  input x : f32[2, 3]
  param w : f32[3]
  h = x @ w
  output x
  output w
  output h
  output x_out = x
}
