# A model's symbols are NAME_model, NAME_forward, ...: the runtime's dm_*
# names are reserved (`dm_model` is the runtime's instance type).
model dm {
  input x : f32[2]
  output y = x * 2
}

model dm_net {
  input x : f32[2]
  output y = x * 2
}
