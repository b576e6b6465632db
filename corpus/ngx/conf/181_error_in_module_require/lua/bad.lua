local x = nil
return x.field
