model 	 odd{


   input	x:f32[2,2]   # comment after a statement
# a comment line
		  # an indented comment line
   y=x@x+x   

  output   z   =   y*2 # trailing
   loss mse( z ,
        # a comment inside parentheses

    y )

}

# the end
