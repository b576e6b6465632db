return { value = 42 }
